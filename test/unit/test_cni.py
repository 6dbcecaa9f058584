#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
vduse-netsw-cni driven as a container runtime drives it: CNI_* in the
environment, the network configuration on stdin, the result or the error on
stdout, the exit status. Without VDUSE (the host has none): the error paths,
a real switch refusing the port (and the address released), and a stand-in
switch on a socket for what needs a port to exist.

    test_cni.py PLUGIN [TEST...]

The environment gives VNS_SWITCH (the switch binary) and, optionally,
CNI_PLUGINS_DIR (where host-local is; Debian's containernetworking-plugins
by default).
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Failure, check, run_tests  # noqa: E402

PLUGIN = os.path.abspath(sys.argv[1])
SWITCH = os.environ.get('VNS_SWITCH')
IPAM_DIR = os.environ.get('CNI_PLUGINS_DIR', '/usr/lib/cni')
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EAL = ['--no-huge', '-m', '128', '--no-pci', '--no-shconf', '--no-telemetry', '-l', '0-1',
       '--log-level=*:error', '--vdev', 'net_null0']
started = []


def conf(work, sock, ipam=True, version='1.1.0', **keys):
    """A network configuration with host-local keeping its leases in @work/ipam."""
    c = {'cniVersion': version, 'name': 'testnet', 'type': 'vduse-netsw-cni', 'socket': sock,
         'timeout': 5}
    if ipam:
        c['ipam'] = {'type': 'host-local', 'dataDir': os.path.join(work, 'ipam'),
                     'ranges': [[{'subnet': '10.88.0.0/24', 'gateway': '10.88.0.1'}]],
                     'routes': [{'dst': '0.0.0.0/0'}, {'dst': '10.99.0.0/16'}]}
    c.update(keys)
    return c


def cni(command, config, containerid='ctr1', ifname='eth0', netns='/run/netns/ctr1',
        drop=(), **env):
    """Run the plugin; return (exit status, stdout's JSON or None, stdout, stderr)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith('CNI_')}
    e.update({'CNI_COMMAND': command, 'CNI_CONTAINERID': containerid, 'CNI_IFNAME': ifname,
              'CNI_NETNS': netns, 'CNI_PATH': IPAM_DIR})
    e.update(env)
    for k in drop:
        e.pop(k, None)
    stdin = config if isinstance(config, str) else json.dumps(config)
    r = subprocess.run([PLUGIN], input=stdin, env=e, capture_output=True, text=True,
                       timeout=30)
    try:
        doc = json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        raise Failure('%s: stdout is not JSON: %r' % (command, r.stdout))
    return r.returncode, doc, r.stdout, r.stderr


def expect_error(res, code, what, inside=''):
    rc, doc, out, err = res
    check(rc == 1 and doc is not None, '%s: expected exit 1 and an error, got %d %r %r'
          % (what, rc, out, err))
    check(set(doc) == {'cniVersion', 'code', 'msg', 'details'},
          '%s: error keys %r' % (what, sorted(doc)))
    check(doc['code'] == code, '%s: code %s, expected %d: %r' % (what, doc['code'], code, doc))
    check(inside in doc['details'] or inside in doc['msg'],
          '%s: %r not in %r' % (what, inside, doc))
    return doc


def expect_ok(res, what):
    rc, doc, out, err = res
    check(rc == 0, '%s: exit %d, stdout %r, stderr %r' % (what, rc, out, err))
    return doc


def leases(work):
    """The addresses host-local holds: its files but the lock and the last-reserved marks."""
    d = os.path.join(work, 'ipam', 'testnet')
    if not os.path.isdir(d):
        return []
    return [f for f in os.listdir(d) if f != 'lock' and not f.startswith('last_reserved_ip')]


def host_local(command, config, containerid='ctr1', ifname='eth0'):
    """host-local itself, in 1.0.0 (it speaks no 1.1.0), for leases made behind the plugin."""
    c = dict(config, cniVersion='1.0.0')
    e = dict(os.environ, CNI_COMMAND=command, CNI_CONTAINERID=containerid, CNI_IFNAME=ifname,
             CNI_NETNS='/run/netns/x', CNI_PATH=IPAM_DIR)
    r = subprocess.run([os.path.join(IPAM_DIR, 'host-local')], input=json.dumps(c), env=e,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, 'host-local %s: %r %r' % (command, r.stdout, r.stderr))


# --- a stand-in switch: the control socket's JSON protocol, one command per connection ---

class FakeSwitch:
    """Answers each command line with handler(line) (a dict, or a str sent as is)."""

    def __init__(self, work, handler):
        self.path = os.path.join(work, 'fake.sock')
        self.lines = []
        self.handler = handler
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                data = b''
                while not data.endswith(b'\n'):
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.decode().rstrip('\n')
                self.lines.append(line)
                answer = self.handler(line)
                c.sendall((answer if isinstance(answer, str) else json.dumps(answer) + '\n')
                          .encode())

    def close(self):
        self.sock.close()


def ok(reply):
    return {'ok': True, 'reply': reply, 'messages': []}


def refused(error, messages=()):
    return {'ok': False, 'reply': {}, 'messages': list(messages), 'error': error}


def port(name, owner, mac='02:aa:bb:cc:dd:ee', netdev='eth0', link_up=True):
    return {'port_id': 1, 'name': name, 'mac': mac, 'driver': 'vduse', 'link_up': link_up,
            'mtu': 1500, 'netdev': netdev, 'netns': '/run/netns/ctr1', 'owner': owner}


# --- the real switch -----------------------------------------------------------------------

class Switch:
    def __init__(self, work):
        self.sock = os.path.join(work, 'ctl.sock')
        self.log = os.path.join(work, 'switch.log')
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen([SWITCH, *EAL, '--', '--control', self.sock],
                                         stdout=log, stderr=subprocess.STDOUT)
        started.append(self.proc)
        # Ready when its socket answers.
        for _ in range(150):
            check(self.proc.poll() is None, 'switch exited: ' + self.output())
            try:
                if self.ask('show port summary all')['ok']:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise Failure('switch did not start: ' + self.output())

    def output(self):
        with open(self.log) as log:
            return log.read()

    def ask(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.sock)
            s.sendall(('json ' + line + '\n').encode())
            s.shutdown(socket.SHUT_WR)
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return json.loads(data)
                data += chunk


# --- tests -----------------------------------------------------------------------------------

def test_version(work):
    """VERSION: the versions spoken, in the version asked (1.1.0 when none)."""
    doc = expect_ok(cni('VERSION', ''), 'VERSION')
    check(doc == {'cniVersion': '1.1.0', 'supportedVersions': ['0.4.0', '1.0.0', '1.1.0']},
          'VERSION: %r' % doc)
    doc = expect_ok(cni('VERSION', '{"cniVersion":"1.0.0"}'), 'VERSION 1.0.0')
    check(doc['cniVersion'] == '1.0.0', 'VERSION in 1.0.0: %r' % doc)


def test_errors(work):
    """Each error code a runtime can meet without a switch, naming what was wrong."""
    sock = os.path.join(work, 'none.sock')
    good = conf(work, sock)
    expect_error(cni('ADD', '{"cniVersion": "1.1.0", '), 6, 'bad JSON', 'stdin, line 1')
    expect_error(cni('ADD', '[1, 2]'), 6, 'not an object', 'no object')
    expect_error(cni('ADD', good, drop=['CNI_COMMAND']), 4, 'no CNI_COMMAND', 'CNI_COMMAND')
    expect_error(cni('FROB', good), 4, 'unknown CNI_COMMAND', "'FROB'")
    expect_error(cni('ADD', good, drop=['CNI_IFNAME']), 4, 'no CNI_IFNAME', 'CNI_IFNAME')
    expect_error(cni('ADD', good, ifname='a/b'), 4, 'bad CNI_IFNAME', "'/'")
    expect_error(cni('ADD', good, drop=['CNI_NETNS']), 4, 'ADD without CNI_NETNS', 'CNI_NETNS')
    expect_error(cni('DEL', good, containerid='-x'), 4, 'bad CNI_CONTAINERID',
                 'CNI_CONTAINERID')
    expect_error(cni('ADD', good, CNI_ARGS='MAC=01:00:5e:00:00:01'), 4, 'multicast MAC',
                 'MAC=')
    doc = expect_error(cni('ADD', conf(work, sock, version='0.3.1')), 1, 'cniVersion 0.3.1',
                       "'0.3.1'")
    check(doc['cniVersion'] == '1.1.0', 'an error for 0.3.1 in %r' % doc['cniVersion'])
    expect_error(cni('ADD', {k: v for k, v in good.items() if k != 'cniVersion'}), 1,
                 'no cniVersion', 'cniVersion missing')
    expect_error(cni('ADD', dict(good, vlan=4095)), 7, 'vlan 4095', '"vlan"')
    expect_error(cni('ADD', dict(good, vlan=10, trunk=[20])), 7, 'vlan and trunk', '"trunk"')
    expect_error(cni('ADD', dict(good, trunk=['30-20'])), 7, 'backwards range', '"trunk"')
    expect_error(cni('ADD', dict(good, socket='ctl.sock')), 7, 'relative socket', '"socket"')
    expect_error(cni('ADD', dict(good, name='bad name')), 7, 'bad name', '"name"')
    expect_error(cni('ADD', dict(good, runtimeConfig={'mac': 'zz'})), 7, 'runtimeConfig mac',
                 'runtimeConfig')
    expect_error(cni('ADD', dict(good, ipam={'subnet': '10.0.0.0/8'})), 7, 'ipam without type',
                 '"type"')
    expect_error(cni('ADD', dict(good, ipMasq=True)), 2, 'ipMasq', 'ipMasq')
    doc = expect_error(cni('ADD', dict(good, ipam={'type': 'no-such-ipam'})), 102,
                       'unknown ipam type', 'no-such-ipam')
    check(doc['cniVersion'] == '1.1.0', 'error version %r' % doc)
    expect_error(cni('ADD', good, CNI_PATH=''), 4, 'no CNI_PATH', 'CNI_PATH')
    expect_error(cni('GC', conf(work, sock)), 7, 'GC without valid-attachments',
                 'valid-attachments')
    expect_error(cni('CHECK', conf(work, sock)), 7, 'CHECK without prevResult', 'prevResult')
    doc = expect_error(cni('ADD', conf(work, sock, version='1.0.0')), 11, 'ADD, no switch',
                       sock)
    check(doc['cniVersion'] == '1.0.0', 'an error of a 1.0.0 request in %r' % doc)
    check(leases(work) == [], 'ADD without a switch left leases: %r' % leases(work))


def test_status_without_switch(work):
    """STATUS: no switch serving the socket is code 50, with the reason."""
    sock = os.path.join(work, 'none.sock')
    expect_error(cni('STATUS', conf(work, sock), drop=['CNI_CONTAINERID', 'CNI_IFNAME',
                                                        'CNI_NETNS']),
                 50, 'STATUS without a switch', 'cannot connect to ' + sock)


def test_del_without_switch(work):
    """DEL with no switch: the address is released all the same, then code 11 (try again)."""
    sock = os.path.join(work, 'none.sock')
    c = conf(work, sock)
    host_local('ADD', c)
    check(len(leases(work)) == 1, 'host-local made no lease: %r' % leases(work))
    expect_error(cni('DEL', c, drop=['CNI_NETNS']), 11, 'DEL without a switch', sock)
    check(leases(work) == [], 'DEL without a switch kept the lease %r' % leases(work))


def test_real_switch(work):
    """A real switch (no VDUSE here): STATUS ok; ADD refused with the switch's reason and
    the address released; DEL of an unknown attachment twice; GC; CHECK of a missing port."""
    check(SWITCH is not None, 'VNS_SWITCH not given')
    sw = Switch(work)
    c = conf(work, sw.sock)
    noattach = ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_NETNS']
    res = cni('STATUS', c, drop=noattach)
    check(expect_ok(res, 'STATUS') is None and res[2] == '', 'STATUS printed %r' % res[2])
    netns = '/proc/%d/ns/net' % os.getpid()
    expect_error(cni('ADD', c, netns=netns, ifname='lo'), 101, 'ADD of lo', 'lo exists')
    expect_error(cni('ADD', c, netns=netns, ifname='vns-cni0'), 100, 'ADD without VDUSE',
                 'port add vduse cni-')
    check(os.path.exists(os.path.join(work, 'ipam', 'testnet')),
          'host-local was not asked for an address')
    check(leases(work) == [], 'the refused ADD kept the lease %r' % leases(work))
    summary = sw.ask('show port summary all')
    check(summary['ok'] and summary['reply']['nb_ports'] == 1,
          'the refused ADD left a port: %r' % summary)
    for i in range(2):
        expect_ok(cni('DEL', c, containerid='unknown', drop=['CNI_NETNS']), 'DEL #%d' % (i + 1))
    expect_ok(cni('GC', dict(c, **{'cni.dev/valid-attachments': []}), drop=noattach), 'GC')
    prev = {'cniVersion': '1.1.0', 'interfaces': [
        {'name': 'eth0', 'mac': '02:00:00:00:00:01', 'sandbox': '/run/netns/ctr1'}]}
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 104, 'CHECK, no port', 'no such port')
    check(sw.proc.poll() is None, 'the switch died: ' + sw.output())


def test_add_result(work):
    """ADD against a stand-in switch: the port add line (names, keys, addresses), and the
    result in each version (interfaces, ips on interface 0, routes)."""
    added = {}

    def handler(line):
        words = line.split()
        if line == 'json show port info all':
            return ok({'ports': [added['port']] if 'port' in added else []})
        if words[1:4] == ['port', 'add', 'vduse']:
            added['line'] = line
            added['port'] = port(words[4], '', mac='02:12:34:56:78:9a')
            return ok({'port_id': 1, 'name': words[4], 'nb_ports': 2})
        if words[1:3] == ['port', 'purge']:
            added.pop('port', None)
            return ok({'name': words[3], 'removed': True})
        return refused('unexpected ' + line)

    fake = FakeSwitch(work, handler)
    for version in ('1.1.0', '1.0.0', '0.4.0'):
        c = conf(work, fake.path, version=version, mtu=9000, vlan=10,
                 runtimeConfig={'mac': '02:12:34:56:78:9A'})
        doc = expect_ok(cni('ADD', c, CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAME=p'),
                        'ADD ' + version)
        line = added['line'].split()
        name = line[4]
        check(name == port_name('testnet', 'ctr1', 'eth0'), 'port name %r' % name)
        keys = [w for w in line[5:]]
        want = ['netns=/run/netns/ctr1', 'ifname=eth0', 'mac=02:12:34:56:78:9a', 'mtu=9000',
                'vlan=10', 'gw=10.88.0.1', 'route=10.99.0.0/16@10.88.0.1',
                'owner=cni:testnet:ctr1:eth0']
        check(all(w in keys for w in want) and
              any(k.startswith('ip=10.88.0.') and k.endswith('/24') for k in keys),
              'port add %s: keys %r, expected also %r' % (version, keys, want))
        check(doc['cniVersion'] == version and doc['interfaces'][0]['name'] == 'eth0' and
              doc['interfaces'][0]['mac'] == '02:12:34:56:78:9a' and
              doc['interfaces'][0]['sandbox'] == '/run/netns/ctr1',
              'ADD %s result interfaces: %r' % (version, doc))
        ip = doc['ips'][0]
        check(ip['interface'] == 0 and ip['address'].startswith('10.88.0.') and
              ip['gateway'] == '10.88.0.1' and ('version' in ip) == (version == '0.4.0'),
              'ADD %s ips: %r' % (version, doc['ips']))
        check({'dst': '0.0.0.0/0'} in doc['routes'], 'ADD %s routes: %r' % (version, doc))
        check(('mtu' in doc['interfaces'][0]) == (version == '1.1.0'),
              'ADD %s: interface mtu %r' % (version, doc['interfaces'][0]))
        # The same attachment again: refused before IPAM, the lease kept.
        expect_error(cni('ADD', c), 101, 'ADD twice', name)
        check(len(leases(work)) == 1, 'ADD twice: leases %r' % leases(work))
        expect_ok(cni('DEL', c, drop=['CNI_NETNS']), 'DEL ' + version)
        check(leases(work) == [] and 'port' not in added,
              'DEL %s: leases %r, port %r' % (version, leases(work), added.get('port')))
    fake.close()


def test_add_refused_interface_exists(work):
    """The switch refusing because the netdev exists: code 101, and the lease released."""
    def handler(line):
        if line == 'json show port info all':
            return ok({'ports': []})
        return refused('port cni-x: interface eth0 exists already (expected a free name)')

    fake = FakeSwitch(work, handler)
    expect_error(cni('ADD', conf(work, fake.path)), 101, 'interface exists', 'exists already')
    check(leases(work) == [], 'a refused ADD kept the lease %r' % leases(work))
    fake.close()


def test_switch_answers_garbage(work):
    """An answer that is no JSON of the protocol: code 105, the lease released."""
    def handler(line):
        if line == 'json show port info all':
            return ok({'ports': []})
        return 'ok\n'

    fake = FakeSwitch(work, handler)
    expect_error(cni('ADD', conf(work, fake.path)), 105, 'garbage answer', 'no JSON object')
    check(leases(work) == [], 'ADD kept the lease %r' % leases(work))
    fake.close()


def test_check(work):
    """CHECK: the port as prevResult says passes (and host-local's CHECK with it); a
    different MAC, a link down, another netdev fail with 104."""
    state = {}

    def handler(line):
        if line == 'json show port info all':
            return ok({'ports': [state['port']]})
        return refused('unexpected ' + line)

    fake = FakeSwitch(work, handler)
    c = conf(work, fake.path)
    host_local('ADD', c)
    name = port_name('testnet', 'ctr1', 'eth0')
    prev = {'cniVersion': '1.1.0', 'interfaces': [
        {'name': 'eth0', 'mac': '02:aa:bb:cc:dd:ee', 'sandbox': '/run/netns/ctr1'}],
        'ips': [{'address': '10.88.0.2/24', 'interface': 0}]}
    state['port'] = port('cni-0000000000000000', 'cni:testnet:ctr1:eth0')
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 104, 'CHECK, no port', name)
    state['port'] = port(name, 'cni:testnet:ctr1:eth0')
    expect_ok(cni('CHECK', dict(c, prevResult=prev)), 'CHECK')
    state['port'] = port(name, 'cni:testnet:ctr1:eth0', mac='02:00:00:00:00:02')
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 104, 'CHECK, MAC', 'MAC')
    state['port'] = port(name, 'cni:testnet:ctr1:eth0', link_up=False)
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 104, 'CHECK, link', 'link_up')
    state['port'] = port(name, 'cni:testnet:ctr1:eth0', netdev='eth9')
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 104, 'CHECK, netdev', 'eth9')
    state['port'] = port(name, 'cni:testnet:ctr1:eth0')
    host_local('DEL', c)
    # host-local's own error code (999) and words, passed on.
    expect_error(cni('CHECK', dict(c, prevResult=prev)), 999, 'CHECK, no lease',
                 'IPAM plugin host-local')
    fake.close()


def test_gc(work):
    """GC: this network's ports of attachments no longer valid are purged and their leases
    released; valid ones, other networks' and ethdev ports are left alone."""
    purged = []
    ports = [port('cni-keep', 'cni:testnet:keep:eth0'), port('cni-stale', 'cni:testnet:gone:eth1'),
             port('cni-other', 'cni:othernet:gone:eth1'),
             {'port_id': 0, 'name': 'net_null0', 'mac': '02:00:00:00:00:09', 'link_up': True}]

    def handler(line):
        words = line.split()
        if line == 'json show port info all':
            return ok({'ports': ports})
        if words[1:3] == ['port', 'purge']:
            purged.append(words[3])
            return ok({'name': words[3], 'removed': True})
        return refused('unexpected ' + line)

    fake = FakeSwitch(work, handler)
    c = conf(work, fake.path)
    host_local('ADD', c, containerid='keep', ifname='eth0')
    host_local('ADD', c, containerid='gone', ifname='eth1')
    check(len(leases(work)) == 2, 'leases %r' % leases(work))
    c['cni.dev/valid-attachments'] = [{'containerID': 'keep', 'ifname': 'eth0'}]
    expect_ok(cni('GC', c, drop=['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_NETNS']), 'GC')
    check(purged == ['cni-stale'], 'GC purged %r, expected cni-stale' % purged)
    check(len(leases(work)) == 1, 'GC: leases %r, expected the valid one' % leases(work))
    fake.close()


def port_name(network, containerid, ifname):
    """The port name the plugin derives: FNV-1a 64 over the three, a 0 byte between."""
    h = 0xcbf29ce484222325
    for b in ('%s\0%s\0%s' % (network, containerid, ifname)).encode():
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return 'cni-%016x' % h


def plugin_requests(conflist):
    """The request configuration of each plugin of @conflist, as a runtime derives it."""
    for p in conflist['plugins']:
        yield dict(p, cniVersion=conflist['cniVersion'], name=conflist['name'])


def nad_config(path):
    """spec.config of a NetworkAttachmentDefinition: the block after 'config: |'."""
    with open(path) as f:
        lines = f.read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == 'config: |') + 1
    block = [l for l in lines[start:]]
    indent = len(block[0]) - len(block[0].lstrip())
    text = []
    for l in block:
        if l.strip() and len(l) - len(l.lstrip()) < indent:
            break
        text.append(l[indent:])
    return json.loads('\n'.join(text))


def test_examples(work):
    """config/cni: every plugin entry of the conflist and of the NAD parses (STATUS gives 0 or
    50, never 6 or 7) and names this plugin."""
    d = os.path.join(SOURCE, 'config', 'cni')
    lists = []
    for f in sorted(os.listdir(d)):
        path = os.path.join(d, f)
        if f.endswith('.conflist'):
            with open(path) as fh:
                lists.append((f, json.load(fh)))
        elif f.endswith('.yaml'):
            lists.append((f, nad_config(path)))
    check(len(lists) >= 2, 'examples found: %r' % [f for f, _ in lists])
    for f, conflist in lists:
        check(conflist['cniVersion'] == '1.1.0', '%s: cniVersion %r' % (f, conflist))
        for req in plugin_requests(conflist):
            check(req['type'] == 'vduse-netsw-cni', '%s: type %r' % (f, req['type']))
            rc, doc, out, err = cni('STATUS', req)
            check(rc == 0 or (rc == 1 and doc['code'] == 50),
                  '%s: STATUS gave %d %r %r' % (f, rc, out, err))


if __name__ == '__main__':
    sys.exit(run_tests(globals(), started, 'vns-cni-'))
