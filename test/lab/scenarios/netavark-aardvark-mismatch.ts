import { copyFile, writeFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, clip, ok, output, run } from '../lib/exec.js';
import type { Engine } from '../lib/engine.js';
import type { Lab } from '../lib/lab.js';
import { expectProbe, lookup } from '../lib/probes.js';
import { remember } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-avm';
/** Where podman 5 and this host's podman 4.3 both keep aardvark-dns. */
const AARDVARK = '/usr/lib/podman/aardvark-dns';
const AARDVARK_STATE = '/run/containers/networks/aardvark-dns';
/** Inside the containers: the DNS query that the TCP probe sends. */
const QUERY_FILE = '/tmp/ndl-query';

/** A DNS query for an A record over TCP (RFC 1035 4.2.2: a two-byte length, then the message), id 0x4e44. */
function tcpQuery(name: string): Buffer {
  const labels = name.split('.').flatMap((label) => [label.length, ...Buffer.from(label, 'ascii')]);
  const message = Buffer.from([0x4e, 0x44, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
}

/**
 * The query over TCP to the gateway, from a container: answered means the reply carries id 0x4e44, no error,
 * and the peer's address as the A record.
 */
async function tcpLookup(engine: Engine, from: string, name: string, server: string, address: string) {
  const raw = await engine.exec(from, [
    'sh',
    '-c',
    `timeout 4 nc "$1" 53 <${QUERY_FILE} | od -An -tx1 -v`,
    'probe',
    server,
  ]);
  const bytes = raw.stdout
    .split(/\s+/)
    .filter((item) => /^[0-9a-f]{2}$/.test(item))
    .map((item) => parseInt(item, 16));
  const octets = address.split('.').map(Number);
  const answered =
    bytes.length >= 14 + 4 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x44 &&
    (bytes[5]! & 0x0f) === 0 &&
    ((bytes[8]! << 8) | bytes[9]!) > 0 &&
    octets.every((octet, index) => bytes[bytes.length - 4 + index] === octet);
  const detail = answered
    ? `${from} resolved ${name} over TCP via ${server}:53 to ${address}`
    : `${from} got no TCP answer for ${name} from ${server}:53 (${bytes.length} bytes back; ${clip(output(raw).replace(/\s+/g, ' ').trim(), 70) || `exit ${raw.exitCode}`})`;
  return { ok: answered, detail, raw };
}

async function versions(lab: Lab): Promise<string> {
  const info = JSON.parse(await lab.podman.must(['info', '--format', 'json'])) as {
    host?: { networkBackendInfo?: { version?: string; dns?: { version?: string; package?: string } } };
  };
  const backend = info.host?.networkBackendInfo;
  return `podman info: ${backend?.version ?? '?'}, ${backend?.dns?.version ?? '?'} (package ${backend?.dns?.package ?? '?'})`;
}

/** Two containers on the internal network, the TCP query file in one of them. */
async function startPair(lab: Lab): Promise<void> {
  await lab.podman.start(`${NET}-a`, ['--network', NET]);
  await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
  await remember(lab, lab.podman, NET, NET);
  const file = `${lab.runningEnvironment().share}/ndl-query`;
  await writeFile(file, tcpQuery(`${NET}-b`));
  await lab.podman.must(['cp', file, `${NET}-a:${QUERY_FILE}`]);
}

/** a resolves b over UDP; what the outside name and the TCP query get is what differs between the two states. */
async function probe(lab: Lab) {
  const server = lab.get(`${NET}.dns`);
  const peer = expectProbe(await lookup(lab.podman, `${NET}-a`, `${NET}-b`, server), 'pass');
  const outside = await lookup(lab.podman, `${NET}-a`, 'ext.test', server);
  const tcp = await tcpLookup(lab.podman, `${NET}-a`, `${NET}-b`, server, lab.get(`${NET}-b.ip`));
  return { peer, outside, tcp };
}

/**
 * Gen1's aardvark-dns 1.4.0 in place of gen2's 1.14.0 under netavark 1.14 (as after a partial upgrade or a binary
 * copied by hand). Container names still resolve; what netavark 1.11+ and 1.12+ rely on its own aardvark-dns for
 * is gone: an internal network's containers get answers for outside names (1.4 does not know the "%int" mark
 * of internal networks) and DNS over TCP to the gateway is refused (TCP came in aardvark-dns 1.12).
 */
export default {
  kind: 'broken',
  name: 'netavark-aardvark-mismatch',
  ids: ['podman.netavark_aardvark_mismatch'],
  description: `gen1's aardvark-dns 1.4.0 (this host's ${AARDVARK}) in place of gen2's 1.14.0 beside netavark 1.14; containers on an internal network`,
  identity: 'root',
  generations: [2],
  async setup(lab) {
    const hostVersion = await run([AARDVARK, '--version'], { timeoutMs: 10_000, env: baseEnv() });
    if (!ok(hostVersion) || !/^aardvark-dns 1\.4\./.test(hostVersion.stdout.trim()))
      throw new LabError(`this host's ${AARDVARK} is not aardvark-dns 1.4 (${brief(hostVersion)})`);
    const shared = `${lab.runningEnvironment().share}/aardvark-dns-gen1`;
    await copyFile(AARDVARK, shared);
    await lab.guard.move(AARDVARK);
    await lab.mustRoot(['cp', shared, AARDVARK]);
    await lab.mustRoot(['chmod', '0755', AARDVARK]);
    lab.set('versions.broken', await versions(lab));
    await lab.podman.network(NET, ['--internal']);
    await startPair(lab);
  },
  async proveBroken(lab) {
    const { peer, outside, tcp } = await probe(lab);
    // The leak: an internal network's DNS answered an outside name.
    expectProbe(outside, 'pass');
    expectProbe(tcp, 'fail');
    return `${lab.get('versions.broken')}; ${peer}; on the internal network ${outside.detail}; ${tcp.detail}`;
  },
  expect: () => [
    {
      id: 'podman.netavark_aardvark_mismatch',
      severity: 'warning',
      subject: { engine: 'podman', path: AARDVARK },
      title: /netavark 1\.14 runs with aardvark-dns 1\.4/,
    },
  ],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a package reinstall (apt-get install --reinstall netavark aardvark-dns), which the lab never runs; the lab puts the packaged aardvark-dns back',
    async apply(lab) {
      await lab.podman.remove(`${NET}-a`, `${NET}-b`);
      // aardvark-dns normally exits with the last container of its networks; one left running would keep serving.
      const pid = await lab.root(['cat', `${AARDVARK_STATE}/aardvark.pid`]);
      if (ok(pid) && /^\d+$/.test(pid.stdout.trim())) {
        const comm = await lab.root(['cat', `/proc/${pid.stdout.trim()}/comm`]);
        if (ok(comm) && comm.stdout.trim() === 'aardvark-dns') await lab.mustRoot(['kill', pid.stdout.trim()]);
      }
      await lab.guard.undoPath(AARDVARK);
      lab.set('versions.fixed', await versions(lab));
      await startPair(lab);
      return `the packaged ${AARDVARK} put back, ${NET}-a and ${NET}-b started again (${lab.get('versions.fixed')})`;
    },
  },
  async proveFixed(lab) {
    const { peer, outside, tcp } = await probe(lab);
    expectProbe(outside, 'fail');
    expectProbe(tcp, 'pass');
    return `${peer}; ${outside.detail}; ${tcp.detail}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
