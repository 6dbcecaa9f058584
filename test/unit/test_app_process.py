#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
vduse-netsw as a real process on the host: no VDUSE port (the host has no
VDUSE), its control socket, signals, command line and EAL failures.

    test_app_process.py SWITCH_BINARY [TEST...]
"""
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

SWITCH = sys.argv[1]
# No hugepages, no PCI device, no shared files: runs anywhere.
EAL = ['--no-huge', '-m', '128', '--no-pci', '--no-shconf', '--no-telemetry', '-l', '0-1',
       '--log-level=*:error', '--log-level=netsw.*:info']
COMMAND_S = 3.0  # VNS_CONTROL_COMMAND_MS
MAX_CLIENTS = 16  # VNS_CONTROL_MAX_CLIENTS
started = []  # every switch process, killed after its test if still running


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Switch:
    """A switch started with a control socket in its own directory."""

    def __init__(self, work, sock='ctl.sock', args=(), eal=EAL, **popen):
        self.sock = os.path.join(work, sock)
        self.log = os.path.join(work, 'switch-%d.log' % time.monotonic_ns())
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen([SWITCH, *eal, '--', '--control', self.sock, *args],
                                         stdout=log, stderr=subprocess.STDOUT, **popen)
        started.append(self.proc)

    def wait_ready(self):
        for _ in range(150):
            if 'vduse-netsw: forwarding' in self.output():
                return self
            check(self.proc.poll() is None,
                  'switch exited with %s while starting:\n%s' % (self.proc.returncode,
                                                                  self.output()))
            time.sleep(0.1)
        raise Failure('switch did not start:\n' + self.output())

    def output(self):
        with open(self.log) as log:
            return log.read()

    def alive(self):
        return self.proc.poll() is None

    def exit_status(self, timeout=15):
        """The status of a switch expected to exit by itself."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure('switch still running after %d s:\n%s' % (timeout, self.output()))

    def stop(self, sig=signal.SIGTERM):
        """Send @sig; return the exit status (negative: killed by that signal)."""
        if self.alive():
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure('switch still running 10 s after signal %d' % sig)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def read_all(s):
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data.decode()
        data += chunk


def ask(path, text):
    """Send @text, close the sending side, return the whole answer."""
    with connect(path) as s:
        s.sendall(text.encode())
        s.shutdown(socket.SHUT_WR)
        return read_all(s)


def run(args, timeout=30):
    return subprocess.run([SWITCH, *args], capture_output=True, text=True, timeout=timeout)


# --- the control socket ---------------------------------------------------

def ctl(args, env=None, timeout=30):
    """vduse-netsw-ctl (built next to the switch) with @args."""
    binary = os.path.join(os.path.dirname(SWITCH), 'vduse-netsw-ctl')
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def test_ctl_client(work):
    """vduse-netsw-ctl: the answer printed; exit 0 for ok, 1 for an error, 2 when not asked."""
    sw = Switch(work).wait_ready()
    r = ctl(['--socket', sw.sock, 'show', 'fdb-stats'])
    check(r.returncode == 0 and 'entries: 0\n' in r.stdout and r.stdout.endswith('ok\n'),
          'show fdb-stats: %d %r %r' % (r.returncode, r.stdout, r.stderr))
    r = ctl(['--socket', sw.sock, 'set', 'aging', '-1'])
    check(r.returncode == 1 and r.stdout.startswith("error: aging '-1'"),
          'a refused command: %d %r' % (r.returncode, r.stdout))
    r = ctl(['--socket', sw.sock, 'set', 'aging', '77'])
    check(r.returncode == 0 and r.stdout == 'ok\n', 'set aging 77: %d %r' % (r.returncode, r.stdout))
    # The socket from the environment; the command's words after the options.
    r = ctl(['show', 'fdb-stats'], env=dict(os.environ, VDUSE_NETSW_SOCKET=sw.sock))
    check(r.returncode == 0 and 'aging-time: 77\n' in r.stdout,
          'VDUSE_NETSW_SOCKET: %d %r %r' % (r.returncode, r.stdout, r.stderr))
    r = ctl(['--socket', sw.sock, 'show', 'x' * 300])
    check(r.returncode == 2 and 'longer than' in r.stderr, 'a long command: %r' % r.stderr)
    r = ctl(['--socket', os.path.join(work, 'none.sock'), 'show', 'ports'])
    check(r.returncode == 2 and 'cannot connect to' in r.stderr and 'No such file' in r.stderr,
          'no switch: %d %r' % (r.returncode, r.stderr))
    r = ctl(['--socket', sw.sock])
    check(r.returncode == 2 and 'no command' in r.stderr, 'no command: %r' % r.stderr)
    r = ctl(['--socket', sw.sock, '--timeout', '0', 'show', 'ports'])
    check(r.returncode == 2 and "--timeout '0'" in r.stderr, 'timeout 0: %r' % r.stderr)
    # A server that accepts and never answers: the client gives up in time.
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mute.bind(os.path.join(work, 'mute.sock'))
    mute.listen(1)
    start = time.monotonic()
    r = ctl(['--socket', os.path.join(work, 'mute.sock'), '--timeout', '1', 'show', 'ports'])
    check(r.returncode == 2 and 'no complete answer' in r.stderr and time.monotonic() - start < 10,
          'a mute server: %d %r' % (r.returncode, r.stderr))
    mute.close()
    check(sw.alive(), 'switch died')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_client_gone_before_answer(work):
    """A1: a client that leaves before its answer costs the answer, not the switch."""
    sw = Switch(work).wait_ready()
    # Stopped, the switch cannot answer before the client has left: the
    # answer then meets a closed socket (EPIPE, and SIGPIPE unless handled).
    for command in ('show stats\n', 'show ports\n'):
        sw.proc.send_signal(signal.SIGSTOP)
        with connect(sw.sock) as s:
            s.sendall(command.encode())
        sw.proc.send_signal(signal.SIGCONT)
        time.sleep(0.5)
        check(sw.alive(), 'switch died (status %s) when a client left before its answer'
              % sw.proc.returncode)
    check(ask(sw.sock, 'show ports\n') == 'ok\n', 'no answer after a client left')
    check('answer dropped' in sw.output(), 'the dropped answer is not logged')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_every_line_answered(work):
    """N2: several commands on one connection, blank lines, a last line without newline."""
    sw = Switch(work).wait_ready()
    cases = [
        ('show ports\nshow ports\n', 'ok\nok\n'),
        ('show ports\n\n', 'ok\n'),
        ('\n  \nshow stats\n', 'ok\n'),
        ('show ports', 'ok\n'),
        ('bogus\nshow ports\n', "error: unknown command 'bogus' (link, show, set, fdb, port, capture, bpf-load, bpf-unload)\nok\n"),
        ('link nosuch down\r\nshow stats\r\n',
         "error: no port 'nosuch' (see: show ports)\nok\n"),
    ]
    for sent, expected in cases:
        got = ask(sw.sock, sent)
        check(got == expected, 'sent %r, got %r, expected %r' % (sent, got, expected))
    # Interactive: each answer comes while the connection stays open.
    with connect(sw.sock) as s:
        for _ in range(3):
            s.sendall(b'show ports\n')
            check(s.recv(100) == b'ok\n', 'no answer on an open connection')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_slow_clients_do_not_hold_others(work):
    """A2: a client sending a byte every 1.3 s or nothing at all delays nobody."""
    sw = Switch(work).wait_ready()
    idle = connect(sw.sock)
    slow = connect(sw.sock)
    slow_answer = {}

    def trickle():
        start = time.monotonic()
        try:
            for byte in b'show ports\n':
                slow.sendall(bytes([byte]))
                # Not a divisor of COMMAND_S: no byte lands on the deadline itself.
                time.sleep(1.3)
        except OSError:
            pass  # closed by the switch: expected
        slow_answer['text'] = read_all(slow)
        slow_answer['after'] = time.monotonic() - start

    thread = threading.Thread(target=trickle)
    thread.start()
    time.sleep(0.2)
    for _ in range(5):
        start = time.monotonic()
        check(ask(sw.sock, 'show ports\n') == 'ok\n', 'no answer beside slow clients')
        took = time.monotonic() - start
        check(took < 0.5, 'an answer took %.1f s beside a slow and an idle client' % took)
        time.sleep(0.3)
    thread.join(timeout=20)
    check(not thread.is_alive(), 'the slow client was never cut off')
    check(slow_answer['text'].startswith('error: command not complete within'),
          'slow client got %r' % slow_answer['text'])
    check(slow_answer['after'] < COMMAND_S + 2,
          'the slow client was cut off after %.1f s' % slow_answer['after'])
    # The idle client is still connected and served.
    idle.sendall(b'show ports\n')
    check(idle.recv(100) == b'ok\n', 'the idle client is not served')
    idle.close()
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_limits(work):
    """An over-long line and one client too many are answered with an error."""
    sw = Switch(work).wait_ready()
    got = ask(sw.sock, 'show ' + 'x' * 300 + '\n')
    check(got == 'error: command longer than 255 characters\n', 'long line: got %r' % got)
    clients = [connect(sw.sock) for _ in range(MAX_CLIENTS)]
    time.sleep(0.3)
    with connect(sw.sock) as extra:
        got = read_all(extra)
    check(got.startswith('error: too many clients'), 'client %d got %r' % (MAX_CLIENTS + 1, got))
    clients.pop().close()
    time.sleep(0.3)
    check(ask(sw.sock, 'show ports\n') == 'ok\n', 'no answer once a client left')
    for c in clients:
        c.close()
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_control_path_in_use(work):
    """N3: a second switch on a live socket is refused and the socket stays the first's."""
    first = Switch(work).wait_ready()
    second = Switch(work)
    status = second.exit_status()
    check(status == 1, 'second switch on the same path: status %d' % status)
    check('in use' in second.output(), 'no "in use" from the second switch:\n'
          + second.output())
    check(ask(first.sock, 'show ports\n') == 'ok\n', 'the first switch lost its socket')
    check(first.stop() == 0, 'exit status after SIGTERM')
    check(not os.path.exists(first.sock), 'socket left after a clean exit')


def test_control_path_not_a_socket(work):
    """A4: whatever is at the path and is not a socket is not removed."""
    path = os.path.join(work, 'ctl.sock')
    with open(path, 'w') as f:
        f.write('precious\n')
    sw = Switch(work)
    status = sw.exit_status()
    check(status == 1, 'status %d with a file at the path' % status)
    check('not a socket' in sw.output(), 'no "not a socket":\n' + sw.output())
    with open(path) as f:
        check(f.read() == 'precious\n', 'the file at the path was changed')


def test_stale_socket_replaced(work):
    """A socket nobody accepts on (a switch killed with SIGKILL) is replaced."""
    path = os.path.join(work, 'ctl.sock')
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()
    sw = Switch(work).wait_ready()
    check(ask(sw.sock, 'show ports\n') == 'ok\n', 'no answer on a replaced stale socket')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_only_own_socket_removed(work):
    """A switch removes its socket on exit only if it is still its own."""
    first = Switch(work).wait_ready()
    os.unlink(first.sock)
    second = Switch(work).wait_ready()
    check(first.stop() == 0, 'exit status after SIGTERM')
    check(os.path.exists(second.sock), "the first switch removed the second's socket")
    check(ask(second.sock, 'show ports\n') == 'ok\n', 'the second switch lost its socket')
    check(second.stop() == 0, 'exit status after SIGTERM')


def test_socket_mode(work):
    """A4: 0600 whatever the umask; 0660 with the group of --control-group."""
    def no_umask():
        os.umask(0)

    sw = Switch(work, preexec_fn=no_umask).wait_ready()
    st = os.lstat(sw.sock)
    check(stat.S_IMODE(st.st_mode) == 0o600, 'mode %o under umask 0' % stat.S_IMODE(st.st_mode))
    check(sw.stop() == 0, 'exit status after SIGTERM')
    # Root may give the socket any group; others only one of their own.
    gid = 4242 if os.geteuid() == 0 else os.getgid()
    sw = Switch(work, args=['--control-group', str(gid)], preexec_fn=no_umask).wait_ready()
    st = os.lstat(sw.sock)
    check(stat.S_IMODE(st.st_mode) == 0o660, 'mode %o with a group' % stat.S_IMODE(st.st_mode))
    check(st.st_gid == gid, 'group %d, expected %d' % (st.st_gid, gid))
    check(sw.stop() == 0, 'exit status after SIGTERM')


# --- signals -----------------------------------------------------------------

def test_sighup_stops_cleanly(work):
    """N1: SIGHUP (the terminal went away) stops the switch as SIGTERM does."""
    # Started as from a terminal, whatever this test inherited (nohup, a CI
    # runner): SIGHUP at its default disposition.
    sw = Switch(work, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL)).wait_ready()
    status = sw.stop(signal.SIGHUP)
    check(status == 0, 'exit status %d after SIGHUP' % status)
    check(not os.path.exists(sw.sock), 'socket left after SIGHUP')


def test_sighup_ignored_under_nohup(work):
    """N1: started with SIGHUP ignored (nohup), the switch keeps ignoring it."""
    sw = Switch(work, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    sw.wait_ready()
    sw.proc.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    check(sw.alive(), 'switch stopped on an ignored SIGHUP')
    check(ask(sw.sock, 'show ports\n') == 'ok\n', 'no answer after an ignored SIGHUP')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_stdout_reader_gone(work):
    """A reader of stdout that went away costs the output, not the switch."""
    sock = os.path.join(work, 'ctl.sock')
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([SWITCH, *EAL, '--', '--control', sock], stdout=write_end,
                            stderr=subprocess.DEVNULL)
    started.append(proc)
    os.close(write_end)
    os.close(read_end)  # before the switch prints its first line
    for _ in range(150):
        status = proc.poll()
        check(status is None, 'switch died (status %s) writing to a closed stdout' % status)
        try:
            if ask(sock, 'show ports\n') == 'ok\n':
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        raise Failure('switch did not start')
    proc.send_signal(signal.SIGTERM)
    check(proc.wait(timeout=10) == 0, 'exit status %d after SIGTERM' % proc.returncode)


# --- command line and EAL ----------------------------------------------------

def test_help(work):
    """N7: --help, -h, and the same after "--", show the switch's options and exit 0."""
    for args in (['--help'], ['-h'], ['--', '--help'], ['--', '-h'],
                 EAL + ['--', '--vduse', 'p0', '--help']):
        r = run(args)
        check(r.returncode == 0, '%s: status %d' % (' '.join(args), r.returncode))
        check('--vduse NAME' in r.stdout and '--control-group' in r.stdout,
              '%s: no switch options in:\n%s' % (' '.join(args), r.stdout))


def test_bad_options(work):
    """Bad switch options are reported before EAL starts; none at all is an error too."""
    r = run(['--', '--vduse', ',mac=02:00:00:00:00:01'])
    check(r.returncode == 2, 'empty port name: status %d' % r.returncode)
    check('empty port name' in r.stderr and 'EAL' not in r.stderr,
          'empty port name:\n' + r.stderr)
    r = run(EAL)
    check(r.returncode == 2, 'no "--": status %d' % r.returncode)
    check("give them after '--'" in r.stderr, 'no "--":\n' + r.stderr)
    r = run(EAL + ['--', '--stats-period', '5'])
    check(r.returncode == 2 and 'no ports' in r.stderr, 'no port, no socket:\n' + r.stderr)
    r = run(['--', '--fwd', 'warp'])
    check(r.returncode == 2 and 'no such engine' in r.stderr and 'EAL' not in r.stderr,
          'unknown engine:\n' + r.stderr)


def test_eal_failures_explained(work):
    """N6: no hugepages and a file prefix in use are explained with their fix."""
    # A hugepage directory that is no hugetlbfs: no hugepages, whatever the host has.
    nohuge = os.path.join(work, 'nohuge')
    os.mkdir(nohuge)
    r = run(['--huge-dir', nohuge, '--no-pci', '--no-shconf', '-l', '0-1', '--log-level=1',
             '--', '--control', os.path.join(work, 'x.sock')])
    check(r.returncode == 1, 'no hugepages: status %d' % r.returncode)
    check('no usable hugepages' in r.stderr and '--no-huge' in r.stderr
          and 'Permission denied' not in r.stderr, 'no hugepages:\n' + r.stderr)
    # Two instances with one file prefix (shared files on).
    prefix = 'vns-test-%d' % os.getpid()
    shared = [a for a in EAL if a != '--no-shconf'] + ['--file-prefix', prefix]
    first = Switch(work, sock='a.sock', eal=shared).wait_ready()
    try:
        r = run(shared + ['--', '--control', os.path.join(work, 'b.sock')])
        check(r.returncode == 1, 'same file prefix: status %d' % r.returncode)
        check('--file-prefix' in r.stderr and 'pid %d' % first.proc.pid in r.stderr
              and 'Success' not in r.stderr, 'same file prefix:\n' + r.stderr)
    finally:
        check(first.stop() == 0, 'exit status after SIGTERM')
        runtime = '/var/run/dpdk' if os.geteuid() == 0 else os.path.join(
            os.environ.get('XDG_RUNTIME_DIR', '/tmp'), 'dpdk')
        shutil.rmtree(os.path.join(runtime, prefix), ignore_errors=True)


def main():
    tests = {name: f for name, f in globals().items() if name.startswith('test_')}
    chosen = sys.argv[2:] or list(tests)
    failed = 0
    for name in chosen:
        work = tempfile.mkdtemp(prefix='vns-app-')
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
                    proc.kill()
                    proc.wait()
            started.clear()
            shutil.rmtree(work, ignore_errors=True)
    print('%d of %d failed' % (failed, len(chosen)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
