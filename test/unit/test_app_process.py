#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
vduse-netsw as a real process on the host: no VDUSE port (the host has no
VDUSE), its control socket, signals, command line and EAL failures.

    test_app_process.py SWITCH_BINARY [TEST...]
"""
import json
import os
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Failure, check, run_tests  # noqa: E402

SWITCH = sys.argv[1]
# No hugepages, no PCI device, no shared files: runs anywhere.
EAL = ['--no-huge', '-m', '128', '--no-pci', '--no-shconf', '--no-telemetry', '-l', '0-1',
       '--log-level=*:error', '--log-level=netsw.*:info']
COMMAND_S = 3.0  # VNS_CONTROL_COMMAND_MS
MAX_CLIENTS = 16  # VNS_CONTROL_MAX_CLIENTS
started = []  # every switch process, killed after its test if still running


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
    """vduse-netsw-ctl (meson gives its path as VNS_CTL) with @args."""
    return subprocess.run([os.environ['VNS_CTL'], *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def test_ctl_client(work):
    """vduse-netsw-ctl: the answer printed; exit 0 for ok, 1 for an error, 2 when not asked."""
    sw = Switch(work).wait_ready()
    r = ctl(['--socket', sw.sock, 'show', 'mac', 'stats'])
    check(r.returncode == 0 and 'entries: 0\n' in r.stdout and r.stdout.endswith('ok\n'),
          'show mac stats: %d %r %r' % (r.returncode, r.stdout, r.stderr))
    r = ctl(['--socket', sw.sock, 'set', 'mac', 'aging', '-1'])
    check(r.returncode == 1 and r.stdout.startswith("error: word 4 '-1': expected SECONDS"),
          'a refused command: %d %r' % (r.returncode, r.stdout))
    r = ctl(['--socket', sw.sock, 'set', 'mac', 'aging', '77'])
    check(r.returncode == 0 and r.stdout == 'ok\n', 'set mac aging 77: %d %r' % (r.returncode, r.stdout))
    # The socket from the environment; the command's words after the options.
    r = ctl(['show', 'mac', 'stats'], env=dict(os.environ, VDUSE_NETSW_SOCKET=sw.sock))
    check(r.returncode == 0 and 'aging-time: 77\n' in r.stdout,
          'VDUSE_NETSW_SOCKET: %d %r %r' % (r.returncode, r.stdout, r.stderr))
    # --json: one line of JSON, its values as the text's; "ok" makes the exit status.
    r = ctl(['--socket', sw.sock, '--json', 'show', 'mac', 'stats'])
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    check(r.stdout.count('\n') == 1 and doc.get('ok') is True and
          doc['reply']['aging_time'] == 77 and doc['reply']['entries'] == 0,
          '--json show mac stats: %d %r %r' % (r.returncode, r.stdout, r.stderr))
    r = ctl(['--socket', sw.sock, '--json', 'set', 'fwd', 'warp'])
    doc = json.loads(r.stdout) if r.stdout else {}
    check(r.returncode == 1 and doc.get('ok') is False and "'warp'" in doc.get('error', ''),
          '--json refused: %d %r' % (r.returncode, r.stdout))
    r = ctl(['--socket', sw.sock, 'show', 'x' * 1100])
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
    for command in ('show port stats all\n', 'show port stats all\n'):
        sw.proc.send_signal(signal.SIGSTOP)
        with connect(sw.sock) as s:
            s.sendall(command.encode())
        sw.proc.send_signal(signal.SIGCONT)
        time.sleep(0.5)
        check(sw.alive(), 'switch died (status %s) when a client left before its answer'
              % sw.proc.returncode)
    check(ask(sw.sock, 'show port stats all\n') == 'ok\n', 'no answer after a client left')
    check('answer dropped' in sw.output(), 'the dropped answer is not logged')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_every_line_answered(work):
    """N2: several commands on one connection, blank lines, a last line without newline."""
    sw = Switch(work).wait_ready()
    cases = [
        ('show port stats all\nshow port stats all\n', 'ok\nok\n'),
        ('show port stats all\n\n', 'ok\n'),
        ('\n  \nshow port stats all\n', 'ok\n'),
        ('show port stats all', 'ok\n'),
        ('bogus\nshow port stats all\n', "error: unknown command 'bogus' (see: help)\nok\n"),
        ('set link-down port nosuch\r\nshow port stats all\r\n',
         "error: word 4 'nosuch': expected PORT: a port's name or number (none yet)\nok\n"),
        ('# a comment\njson show port stats all\n',
         '{"ok":true,"reply":{"ports":[]},"messages":[]}\n'),
    ]
    for sent, expected in cases:
        got = ask(sw.sock, sent)
        check(got == expected, 'sent %r, got %r, expected %r' % (sent, got, expected))
    # Interactive: each answer comes while the connection stays open.
    with connect(sw.sock) as s:
        for _ in range(3):
            s.sendall(b'show port stats all\n')
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
            for byte in b'show port stats all\n':
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
        check(ask(sw.sock, 'show port stats all\n') == 'ok\n', 'no answer beside slow clients')
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
    idle.sendall(b'show port stats all\n')
    check(idle.recv(100) == b'ok\n', 'the idle client is not served')
    idle.close()
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_limits(work):
    """An over-long line and one client too many are answered with an error."""
    sw = Switch(work).wait_ready()
    got = ask(sw.sock, 'show ' + 'x' * 1100 + '\n')
    check(got == 'error: command longer than 1023 characters\n', 'long line: got %r' % got)
    clients = [connect(sw.sock) for _ in range(MAX_CLIENTS)]
    time.sleep(0.3)
    with connect(sw.sock) as extra:
        got = read_all(extra)
    check(got.startswith('error: too many clients'), 'client %d got %r' % (MAX_CLIENTS + 1, got))
    clients.pop().close()
    time.sleep(0.3)
    check(ask(sw.sock, 'show port stats all\n') == 'ok\n', 'no answer once a client left')
    for c in clients:
        c.close()
    check(sw.stop() == 0, 'exit status after SIGTERM')


NULL_PORTS = ['--vdev', 'net_null0', '--vdev', 'net_null1']


def rx_packets(sock):
    """RX-packets of every port, summed, from the JSON answer of show port stats all."""
    doc = json.loads(ask(sock, 'json show port stats all\n'))
    check(doc['ok'], 'show port stats all refused: %r' % doc)
    return sum(p['rx_packets'] for p in doc['reply']['ports'])


def test_abusive_clients_do_not_stall_forwarding(work):
    """A 1 MiB line, a line cut in half, 100 clients at once and one that never reads:
    each is answered or dropped, and the workers forward on meanwhile."""
    sw = Switch(work, eal=EAL + NULL_PORTS).wait_ready()
    before = rx_packets(sw.sock)
    results = {}

    def megabyte_line():
        with connect(sw.sock) as s:
            try:
                s.sendall(b'show ' + b'x' * (1 << 20) + b'\nshow port stats all\n')
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass
            results['long'] = read_all(s)

    def half_line():
        with connect(sw.sock) as s:
            s.sendall(b'show port st')
            results['half'] = read_all(s)  # the switch gives up on it and says so

    def many(i):
        try:
            results['many%d' % i] = ask(sw.sock, 'show port stats 0\n')
        except OSError as e:
            results['many%d' % i] = 'socket: %s' % e

    def never_reads():
        # Commands it never reads the answers of: the switch stops reading it, and drops it.
        with connect(sw.sock) as s:
            try:
                s.sendall(b'show port stats all\n' * 20000)
                time.sleep(COMMAND_S + 2)
                s.sendall(b'show port stats all\n')
                results['never'] = 'still connected'
            except OSError:
                results['never'] = 'dropped'

    threads = [threading.Thread(target=f) for f in (megabyte_line, half_line, never_reads)]
    threads += [threading.Thread(target=many, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    time.sleep(1)
    during = rx_packets(sw.sock)
    for t in threads:
        t.join(30)
    check(results.get('long', '').startswith('error: command longer than 1023 characters\n'),
          'a 1 MiB line: %r' % results.get('long', '')[:200])
    check(results.get('never') == 'dropped', 'a client that never reads: %r' % results.get('never'))
    check(results.get('half', '').startswith('error: command not complete within'),
          'half a line: %r' % results.get('half'))
    answered = [k for k in results if k.startswith('many') and
                'NIC statistics for port 0' in results[k] and results[k].endswith('ok\n')]
    refused = [k for k in results if k.startswith('many') and
               results[k].startswith('error: too many clients')]
    check(len(answered) + len(refused) == 100 and answered,
          '100 clients: %d answered, %d refused, others: %r' % (
              len(answered), len(refused),
              [results[k][:80] for k in results if k.startswith('many')
               and k not in answered and k not in refused][:3]))
    after = rx_packets(sw.sock)
    check(before < during < after, 'the workers stalled: rx %d, %d, %d' % (before, during, after))
    check(sw.alive(), 'switch died')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def bpf_object():
    """config/bpf's example program, as the build made it, or None."""
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(SWITCH))))
    path = os.path.join(build, 'config', 'bpf', 'drop_udp_5001.o')
    return path if os.path.exists(path) else None


def every_command(work):
    """(command, check of its JSON reply or None) for every command of the table but quit."""
    pcap = os.path.join(work, 'cap.pcapng')
    info = lambda r: r['ports'][0]
    rows = [
        ('help', lambda r: len(r['commands']) >= 40),
        ('help show port', lambda r: all(c['command'].startswith('show port')
                                         for c in r['commands']) and len(r['commands']) == 4),
        ('show port summary all', lambda r: r['nb_ports'] == 2 and
         [p['name'] for p in r['ports']] == ['net_null0', 'net_null1']),
        ('show port info 0', lambda r: info(r)['name'] == 'net_null0' and
         info(r)['nb_rx_queues'] == 1 and info(r)['started'] and info(r)['vlan_mode'] == 'trunk'),
        ('show port stats all', lambda r: len(r['ports']) == 2 and r['ports'][0]['rx_packets'] > 0),
        ('show port xstats 1', lambda r: 'rx_good_packets' in info(r)['xstats']),
        ('clear port stats all', None),
        ('show fwd stats all', lambda r: r['accumulated']['rx_packets'] > 0),
        ('stop', None),
        ('clear fwd stats all', None),
        ('show fwd stats all', lambda r: r['accumulated']['rx_packets'] == 0),
        ('start', None),
        ('show config fwd', lambda r: r['engine'] == 'bridge' and r['nb_streams'] == 2),
        ('stop', lambda r: len(r['ports']) == 2 and 'accumulated' in r),
        ('start tx_first', lambda r: r['engine'] == 'bridge'),
        ('stop', None),
        ('start', lambda r: r['nb_ports'] == 2),
        ('set fwd io', lambda r: r['engine'] == 'io'),
        ('set burst 16', None),
        ('show config fwd', lambda r: r['engine'] == 'io' and r['burst'] == 16),
        ('set fwd bridge', None),
        # net_null has no receive filter to switch (host-bridge-vlan tests a real one).
        ('show port info 0', lambda r: info(r)['promiscuous'] is True),
        ('port stop 1', None),
        ('show port info 1', lambda r: info(r)['started'] is False),
        ('port start 1', None),
        ('show port info 1', lambda r: info(r)['started'] is True),
        # net_null cannot set its link (the guest tests set a VDUSE port's).
        ('show port info 0', lambda r: info(r)['link_up'] is True),
        ('vlan set access 1 20', None),
        ('show port info 1', lambda r: info(r)['vlan_mode'] == 'access' and
         info(r)['access_vlan'] == 20),
        ('vlan set trunk 1 10,20-22', None),
        ('vlan set native 1 5', None),
        ('show port info 1', lambda r: info(r)['trunk'] == [10, 20, 21, 22] and
         info(r)['native_vlan'] == 5),
        ('vlan set trunk 1 all', None),
        ('show port info 1', lambda r: info(r)['trunk'] == ['all'] and info(r)['native_vlan'] == 5),
        # Stopped, the table learns nothing from net_null's recycled frames meanwhile.
        ('stop', None),
        ('clear mac table', None),
        ('mac add 10 02:00:00:00:00:01 net_null0', None),
        ('show mac table', lambda r: r['nb_entries'] == 1 and r['entries'][0]['static'] and
         r['entries'][0]['port'] == 'net_null0' and r['entries'][0]['mac'] == '02:00:00:00:00:01'),
        ('show mac table vlan 10', lambda r: r['nb_entries'] == 1),
        ('show mac table vlan 11', lambda r: r['nb_entries'] == 0),
        ('mac del 10 02:00:00:00:00:01', None),
        ('show mac table', lambda r: r['nb_entries'] == 0),
        ('set mac aging 60', None),
        ('set mac limit 100', lambda r: r['evicted'] == 0),
        ('show mac stats', lambda r: r['aging_time'] == 60 and r['limit'] == 100),
        ('mac add 0 02:00:00:00:00:02 1', None),
        ('clear mac table port 1', lambda r: r['flushed'] == 1),
        ('clear mac table', lambda r: r['flushed'] == 0),
        ('start', None),
        ('show workers', lambda r: len(r['workers']) == 1 and len(r['workers'][0]['rx_queues']) == 2),
        ('capture', lambda r: r['capture']['state'] == 'none'),
        ('capture start net_null0 rx %s snaplen 64' % pcap,
         lambda r: r['capture']['state'] == 'running' and r['capture']['snaplen'] == 64),
        ('capture status', lambda r: r['capture']['state'] == 'running'),
        ('capture stop', lambda r: r['capture']['state'] == 'stopped' and
         r['capture']['written'] > 0),
        ('port add ethdev net_null2', lambda r: r['port_id'] == 2 and r['name'] == 'net_null2'
         and r['nb_ports'] == 3),
        ('show port summary all', lambda r: r['nb_ports'] == 3),
        ('port del net_null2', None),
        ('show port summary all', lambda r: r['nb_ports'] == 2),
        # Nothing of that name: no error, for an orchestrator's repeated delete.
        ('port purge p9', lambda r: r['name'] == 'p9' and r['removed'] is False),
    ]
    obj = bpf_object()
    if obj is not None:
        rows += [('bpf-load rx 0 0 J ' + obj, lambda r: r['port'] == 'net_null0' and
                  r['queue'] == 0),
                 ('bpf-unload rx 0 0', None)]
    return rows


def test_every_command(work):
    """Every command through vduse-netsw-ctl --json (values asserted), the socket in text
    (each answer ends in ok), and a --cmdline-file (the switch runs them all, then quits)."""
    sw = Switch(work, eal=EAL + NULL_PORTS).wait_ready()
    rows = every_command(work)
    for command, test in rows:
        r = ctl(['--socket', sw.sock, '--json', *command.split()])
        check(r.returncode == 0, '--json %s: exit %d: %r %r' % (command, r.returncode, r.stdout,
                                                                r.stderr))
        reply = json.loads(r.stdout)['reply']
        check(test is None or test(reply), '--json %s: %r' % (command, reply))
        if command == 'clear port stats all':
            # Counted from zero again: far fewer than before.
            after = rx_packets(sw.sock)
            check(after < rows_rx[0], 'clear port stats: %d then %d' % (rows_rx[0], after))
        if command.startswith('show port stats all'):
            rows_rx = [sum(p['rx_packets'] for p in reply['ports'])]
        if command == 'port stop 1':
            one = lambda: json.loads(ask(sw.sock, 'json show port stats 1\n'))['reply']['ports'][0]
            first = one()['rx_packets']
            time.sleep(0.2)
            check(one()['rx_packets'] == first, 'a stopped port is still polled')
    # Refused, with the reason and nothing changed.
    for command, reason in (('port add vduse p9', 'port p9: cannot create it: No such file'),
                            ('port add vduse p9,netns=nosuchns', 'ip netns add nosuchns'),
                            ('port purge net_null0', 'an ethdev, not a VDUSE device'),
                            ('port purge ../p9', 'a port name has letters, digits'),
                            ('port add ethdev net_null0', 'port net_null0 exists already'),
                            ('help nosuch', "no command starts with 'nosuch'"),
                            ('set promisc 0 off', 'Operation not supported'),
                            ('set link-down port 0', 'cannot set the link down'),
                            ('set mac limit 100000', 'the table holds at most 8192 entries'),
                            ('vlan set trunk 1 10,5000', "VLAN '5000' is not in 1..4094"),
                            ('bpf-unload rx 0 0', 'no program on net_null0 rx queue 0')):
        r = ctl(['--socket', sw.sock, '--json', *command.split()])
        doc = json.loads(r.stdout) if r.stdout else {}
        check(r.returncode == 1 and doc.get('ok') is False and reason in doc.get('error', '') +
              ' '.join(doc.get('messages', [])), '%s: %d %r' % (command, r.returncode, r.stdout))
    check(json.loads(ask(sw.sock, 'json show mac stats\n'))['reply']['limit'] == 100,
          'a refused limit changed the limit')
    check(subprocess.run(['tcpdump', '-r', os.path.join(work, 'cap.pcapng')],
                         capture_output=True).returncode == 0 if shutil.which('tcpdump') else True,
          'tcpdump cannot read the capture')
    # Text, on one connection: every answer ends in ok.
    os.unlink(os.path.join(work, 'cap.pcapng'))
    text = ask(sw.sock, ''.join(c + '\n' for c, _ in rows))
    oks = text.split('\n').count('ok')
    check(oks == len(rows) and 'error:' not in text, 'text: %d of %d ok: %s' % (
        oks, len(rows), [l for l in text.split('\n') if l.startswith('error')][:3]))
    check(sw.stop() == 0, 'exit status after SIGTERM')
    # The command file: all of them, then quit ends the switch with status 0.
    os.unlink(os.path.join(work, 'cap.pcapng'))
    cmds = os.path.join(work, 'all.cmds')
    with open(cmds, 'w') as f:
        # The file runs before forwarding starts (testpmd's order): it starts it itself.
        f.write('start\n' + ''.join(c + '\n' for c, _ in rows) + 'quit\n')
    r = run([*EAL, *NULL_PORTS, '--', '--control', os.path.join(work, 'f.sock'),
             '--cmdline-file', cmds], timeout=60)
    check(r.returncode == 0 and 'Read CLI commands from ' + cmds in r.stdout and
          'error:' not in r.stdout, 'command file: exit %d: %s' % (r.returncode, r.stdout[-2000:]))


def frame_lengths(path):
    """The original length of every frame in a pcapng file (its enhanced packet blocks)."""
    with open(path, 'rb') as f:
        data = f.read()
    lengths, off = set(), 0
    while off + 12 <= len(data):
        kind, size = struct.unpack_from('<II', data, off)
        if kind == 6:
            lengths.add(struct.unpack_from('<I', data, off + 24)[0])
        off += size
    return lengths


def test_txpkts(work):
    """txonly's frames are --txpkts bytes long, then what set txpkts says (as a capture of
    the transmitted frames sees them); a length out of 42..2048 is refused."""
    sw = Switch(work, eal=EAL + NULL_PORTS,
                args=['--forward-mode', 'txonly', '--txpkts', '1514']).wait_ready()

    def tx_lengths(name):
        path = os.path.join(work, name)
        ask(sw.sock, 'capture start net_null1 tx %s snaplen 64\n' % path)
        time.sleep(0.1)
        ask(sw.sock, 'capture stop\n')
        return frame_lengths(path)

    check(tx_lengths('a.pcapng') == {1514}, 'frame lengths %r, expected 1514'
          % tx_lengths('a.pcapng'))
    check(ask(sw.sock, 'set txpkts 100\n').endswith('ok\n'), 'set txpkts 100 refused')
    check(tx_lengths('b.pcapng') == {100}, 'after set txpkts 100: %r' % tx_lengths('b.pcapng'))
    check(sw.stop() == 0, 'exit status after SIGTERM')
    r = run([*EAL, '--', '--txpkts', '41'])
    check(r.returncode == 2 and '--txpkts 41: expected frame bytes without FCS, a number in '
          '42..2048' in r.stderr, '--txpkts 41: %d %r' % (r.returncode, r.stderr))


def test_testpmd_options(work):
    """--forward-mode, --burst, --rxq, --txq, --rxd, --txd, --nb-cores, as show config fwd and
    show port info report them."""
    sw = Switch(work, eal=EAL + NULL_PORTS,
                args=['--forward-mode', 'io', '--burst', '8', '--rxq', '2', '--txq', '2',
                      '--rxd', '512', '--txd', '512', '--nb-cores', '1']).wait_ready()
    config = ask(sw.sock, 'show config fwd\n')
    check(config.startswith('io packet forwarding - ports=2 - cores=1 - streams=4 - burst=8'
                            ' - txpkts=60\n'),
          'show config fwd: %r' % config)
    check('RX P=0/Q=1 (socket 0) -> TX P=1/Q=0' in config, 'streams: %r' % config)
    info = json.loads(ask(sw.sock, 'json show port info 1\n'))['reply']['ports'][0]
    check(info['nb_rx_queues'] == 2 and info['nb_tx_queues'] == 2, 'queues: %r' % info)
    check(sw.stop() == 0, 'exit status after SIGTERM')
    r = run([*EAL, '--', '--burst', '64'])
    check(r.returncode == 2 and '--burst 64: expected frames per burst, a number in 1..32'
          in r.stderr, '--burst 64: %d %r' % (r.returncode, r.stderr))


def test_cmdline_file(work):
    """--cmdline-file: its commands run at start; a failing line stops the switch, named."""
    good = os.path.join(work, 'good.cmds')
    with open(good, 'w') as f:
        f.write('# testpmd-style setup\nset fwd macswap\n\nset burst 4\nshow config fwd\n')
    sw = Switch(work, eal=EAL + NULL_PORTS, args=['--cmdline-file', good]).wait_ready()
    check(ask(sw.sock, 'show config fwd\n').startswith(
        'macswap packet forwarding - ports=2 - cores=1 - streams=2 - burst=4 - txpkts=60\n'),
        'the file did not run')
    check('Read CLI commands from ' + good in sw.output(), 'no end-of-file line')
    check(sw.stop() == 0, 'exit status after SIGTERM')
    bad = os.path.join(work, 'bad.cmds')
    with open(bad, 'w') as f:
        f.write('set fwd io\nset fwd nosuch\nquit\n')
    r = run([*EAL, *NULL_PORTS, '--', '--control', os.path.join(work, 'c.sock'),
             '--cmdline-file', bad])
    check(r.returncode == 2, 'a failing line: exit %d' % r.returncode)
    check("%s:2: set fwd nosuch\nerror: word 3 'nosuch': expected bridge|io|" % bad in r.stdout,
          'a failing line: %r' % r.stdout)


class Terminal:
    """The switch with -i on a pty, as a user at its prompt sees it."""

    PROMPT = 'vduse-netsw> '

    def __init__(self, args):
        import pty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(SWITCH, [SWITCH, *EAL, *NULL_PORTS, '--', *args])
        self.pending = b''

    def until(self, text, timeout=10):
        """What the terminal showed up to @text (consumed), within @timeout seconds."""
        import select
        want, end = text.encode(), time.monotonic() + timeout
        while time.monotonic() < end and want not in self.pending:
            if select.select([self.fd], [], [], 0.2)[0]:
                try:
                    self.pending += os.read(self.fd, 65536)
                except OSError:
                    break
        check(want in self.pending, 'no %r after:\n%s' % (
            text, self.pending.decode(errors='replace')))
        cut = self.pending.index(want) + len(want)
        shown, self.pending = self.pending[:cut].decode(errors='replace'), self.pending[cut:]
        return shown

    def line(self, keys, expect, prompt=True):
        """Type @keys; what was shown up to @expect (and, with @prompt, the next prompt)."""
        os.write(self.fd, keys.encode())
        out = self.until(expect)
        if prompt:
            self.until(self.PROMPT)
        return out

    def exit_status(self):
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else status

    def close(self):
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)


def test_interactive(work):
    """-i through a pty: the prompt, tab completion, history, start and stop as testpmd's."""
    # -i last: getopt must not be left pointing into the freed option words.
    term = Terminal(['--control', os.path.join(work, 'i.sock'), '-i'])
    try:
        term.until(Terminal.PROMPT, 30)
        # Not forwarding before 'start' (-i without --auto-start): nothing received.
        out = term.line('show port stats all\n', 'NIC statistics for port 1')
        check('RX-packets: 0 ' in out, 'forwarding before start:\n' + out)
        # Tab completes words and port names.
        term.line('show port summ\t', 'show port summary ', prompt=False)
        term.line('all\n', 'Number of available ports: 2')
        term.line('show port info net_n\t', 'show port info net_null', prompt=False)
        term.line('1\n', 'Device name: net_null1')
        term.line('start\n', 'bridge packet forwarding - ports=2 - cores=1 - streams=2')
        # History: the up arrow brings 'start' back.
        term.line('\x1b[A\n', 'Packet forwarding already started')
        out = term.line('stop\n', 'Accumulated forward statistics for all ports')
        rx = [int(w.split()[0]) for w in out.split('RX-packets: ')[1:]]
        check(rx and rx[-1] > 0, 'nothing forwarded between start and stop:\n' + out)
        term.line('set fwd nosuch\n', "error: word 3 'nosuch'")
        term.line('quit\n', 'Bye...', prompt=False)
        status = term.exit_status()
        check(status == 0, 'exit status %r' % status)
        check(Terminal.PROMPT.encode() not in term.pending,
              'a prompt after quit: %r' % term.pending)
    finally:
        term.close()


def test_interactive_ctrl_d(work):
    """-i: Ctrl-D on an empty line ends the switch cleanly, as testpmd's."""
    term = Terminal(['-i', '--control', os.path.join(work, 'd.sock')])
    try:
        term.until(Terminal.PROMPT, 30)
        os.write(term.fd, b'\x04')
        status = term.exit_status()
        check(status == 0, 'exit status %r' % status)
    finally:
        term.close()


def test_control_path_in_use(work):
    """N3: a second switch on a live socket is refused and the socket stays the first's."""
    first = Switch(work).wait_ready()
    second = Switch(work)
    status = second.exit_status()
    check(status == 1, 'second switch on the same path: status %d' % status)
    check('in use' in second.output(), 'no "in use" from the second switch:\n'
          + second.output())
    check(ask(first.sock, 'show port stats all\n') == 'ok\n', 'the first switch lost its socket')
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
    check(ask(sw.sock, 'show port stats all\n') == 'ok\n', 'no answer on a replaced stale socket')
    check(sw.stop() == 0, 'exit status after SIGTERM')


def test_only_own_socket_removed(work):
    """A switch removes its socket on exit only if it is still its own."""
    first = Switch(work).wait_ready()
    os.unlink(first.sock)
    second = Switch(work).wait_ready()
    check(first.stop() == 0, 'exit status after SIGTERM')
    check(os.path.exists(second.sock), "the first switch removed the second's socket")
    check(ask(second.sock, 'show port stats all\n') == 'ok\n', 'the second switch lost its socket')
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
    check(ask(sw.sock, 'show port stats all\n') == 'ok\n', 'no answer after an ignored SIGHUP')
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
            if ask(sock, 'show port stats all\n') == 'ok\n':
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


if __name__ == '__main__':
    sys.exit(run_tests(globals(), started, 'vns-app-'))
