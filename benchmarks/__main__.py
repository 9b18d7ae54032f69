"""Run every benchmark: `python -m benchmarks [NAME ...]` (e.g. `store plans`; default: all).

Each `benchmarks/bench_*.py` module's `main()` runs in turn, with no command-line arguments of
its own. One that fails is reported and the rest still run; the exit code is 1 if any failed.
"""

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def bench_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules([str(HERE)]) if info.name.startswith("bench_")
    )


def main() -> int:
    wanted = {name.removeprefix("bench_") for name in sys.argv[1:]}
    names = [n for n in bench_modules() if not wanted or n.removeprefix("bench_") in wanted]
    if wanted and not names:
        print(
            f"No benchmark called {', '.join(sorted(wanted))}; have: "
            f"{', '.join(n.removeprefix('bench_') for n in bench_modules())}"
        )
        return 2
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        saved_argv = sys.argv
        sys.argv = [f"benchmarks/{name}.py"]  # each main() parses its own (empty) arguments
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except SystemExit as exc:  # a main() that ends with sys.exit(code)
            if exc.code not in (0, None):
                failed.append(name)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        finally:
            sys.argv = saved_argv
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
