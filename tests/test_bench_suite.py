"""The benchmark suite's bookkeeping (bench/run.py). The benchmarks themselves run in
.ci/run through `make bench-smoke`, never as timed assertions here."""

from pathlib import Path

from bench import run


def test_every_benchmark_module_is_in_the_suite():
    bench_dir = Path(run.__file__).parent
    modules = {f"bench.{p.stem}" for p in bench_dir.glob("*_bench.py")}
    assert modules == {b.module for b in run.BENCHMARKS}


def test_scale_sets_every_benchmark_arguments():
    for bench in run.BENCHMARKS:
        reference = bench.args(1.0, True)
        smoke = bench.args(0.001, False)
        assert reference != smoke, bench.name
        assert all(a.startswith("--") for a in reference + smoke), bench.name


def test_p95_of_few_runs_is_the_highest_and_of_many_the_95th():
    assert run.p95([3.0, 1.0, 2.0]) == 3.0
    assert run.p95([float(n) for n in range(1, 101)]) == 95.0


def test_results_rows_name_machine_scale_and_figures(tmp_path):
    info = {
        "date": "2026-12-03",
        "commit": "abc1234",
        "cores": "2",
        "memory": "23.5 GB",
        "load": "0.1 0.2 0.3",
        "postgresql": "15.20",
        "settings": "shared_buffers=128MB",
    }
    path = tmp_path / "results.md"
    figures = [run.Figure("sweep", "sweep_seconds", "s", [12.5, 10.0, 11.0])]
    run.results_append(path, info, 1.0, figures)
    run.results_append(path, info, 0.1, figures)
    lines = path.read_text().splitlines()
    assert lines[0] == "# Benchmark results"
    rows = [line for line in lines if line.startswith("| 2026-12-03")]
    assert len(rows) == 2
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells == [
        "2026-12-03",
        "abc1234",
        "1",
        "2",
        "23.5 GB",
        "0.1 0.2 0.3",
        "15.20",
        "shared_buffers=128MB",
        "sweep",
        "sweep_seconds (s)",
        "11",
        "12.5",
        "10-12.5",
        "3",
    ]
    assert rows[1].split("|")[3].strip() == "0.1"


def test_a_failed_check_names_the_benchmark_run_and_value(monkeypatch):
    bench = next(b for b in run.BENCHMARKS if b.name == "sweep")
    rows = iter(
        [
            {"rerun_created": 0, "dispatch_duplicates": 0, "sweep_seconds": 1.0},
            {"rerun_created": 4, "dispatch_duplicates": 0, "sweep_seconds": 2.0},
        ]
    )
    monkeypatch.setattr(run, "database_fresh", lambda base, name: "postgres://x/y")
    monkeypatch.setattr(run, "_run", lambda url, module, args, log: next(rows))
    figures, failures = run.run_benchmark(bench, "postgres://x/b", 0.001, 2, None)
    assert failures == ["sweep: rerun_created is 4 in run 2, expected 0"]
    assert [f.values for f in figures if f.metric == "sweep_seconds"] == [[1.0, 2.0]]
