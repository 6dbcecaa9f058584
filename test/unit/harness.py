# SPDX-License-Identifier: BSD-3-Clause
"""What the Python tests of test/unit share: a check that fails the test with
its reason, and the runner (each test_* function in a fresh work directory,
the processes it started stopped after it, one line per test)."""
import shutil
import subprocess
import sys
import tempfile
import time


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def run_tests(scope, started, prefix):
    """Run the test_* functions of @scope (a module's globals()), or those named
    after the first argument; @started: the Popen objects each test appends,
    terminated (then killed) after it. @return the exit status."""
    tests = {name: f for name, f in scope.items() if name.startswith('test_')}
    chosen = sys.argv[2:] or list(tests)
    failed = 0
    for name in chosen:
        work = tempfile.mkdtemp(prefix=prefix)
        start = time.monotonic()
        try:
            tests[name](work)
            print('ok   %s (%.1f s)' % (name, time.monotonic() - start), flush=True)
        except Exception as e:  # a failed check, or a socket error on the way
            failed += 1
            print('FAIL %s: %s: %s' % (name, type(e).__name__, e), flush=True)
        finally:
            for proc in started:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
            started.clear()
            shutil.rmtree(work, ignore_errors=True)
    print('%d of %d failed' % (failed, len(chosen)))
    return 1 if failed else 0
