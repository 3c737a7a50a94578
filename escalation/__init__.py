"""Escalation: the policies' versioned ladders and their workflow (drafts,
simulation, activation, rollback), the set-based sweep that moves cases up them
through the compliance gate, its write path, the `run_escalation` command and the
beat task. The models (EscalationPolicy, EscalationStep) are still in `cases`
(docs/decisions.md: "An escalation app; its models stay in cases for now")."""
