import { LabError, clip, ok, output } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { expectProbe, http } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-rip';
const WEB = `${NET}-web`;
const PORT = '18080';

/** The page the rootless container serves: a token no other container on this host would answer with. */
function token(lab: { get(key: string): string }): string {
  return lab.get('token');
}

function serve(tokenText: string): string[] {
  return ['sh', '-c', `mkdir -p /tmp/w && echo ${tokenText} > /tmp/w/ok && exec httpd -f -p 80 -h /tmp/w`];
}

/** GET from the host itself (on generation 2 inside its environment), bounded; only ever to a local address. */
async function hostGet(lab: Lab, url: string) {
  return lab.root(['timeout', '4', 'busybox', 'wget', '-q', '-O-', url], 10_000);
}

export default {
  kind: 'broken',
  name: 'rootless-container-ip',
  ids: ['rootless.container_ip_unroutable_from_host'],
  description:
    "ndlab's container serves HTTP on a rootless network: its address means nothing on the host; publishing a port makes it reachable",
  identity: 'ndlab',
  generations: [1, 2],
  async setup(lab) {
    lab.set('token', `ndl-rip-${process.pid}-${Date.now()}`);
    await lab.rootless.network(NET);
    await lab.rootless.start(WEB, ['--network', NET], serve(token(lab)));
    await lab.rootless.start(`${NET}-client`, ['--network', NET]);
    lab.set('ip', await lab.rootless.ip(WEB, NET));
  },
  async proveBroken(lab) {
    const address = lab.get('ip');
    const inside = expectProbe(await http(lab.rootless, `${NET}-client`, `http://${address}/ok`, token(lab)), 'pass');
    const route = await lab.mustRoot(['ip', '-4', 'route', 'get', address]);
    const via = /\bvia (\S+) dev (\S+)/.exec(route);
    if (via) {
      // The host would send it to its uplink gateway (off this machine; on generation 2 the environment's fake
      // upstream router): that is the proof, and nothing is sent.
      return `sibling container: ${inside.replace(`${NET}-client got `, 'got ')}; from the host, ${address} routes via ${via[1]} dev ${via[2]} (its uplink): no path to the container, not sent`;
    }
    // The address collides with a local network (a rootful bridge): whatever answers there, it is not this container.
    const result = await hostGet(lab, `http://${address}/ok`);
    if (ok(result) && result.stdout.trim() === token(lab)) throw new LabError(`the host reached ${WEB} at ${address}`);
    return `sibling container: got its page; from the host, ${address} (${clip(route, 60)}) does not reach it (${clip(output(result) || 'no answer', 60)})`;
  },
  expect: () => [
    {
      id: 'rootless.container_ip_unroutable_from_host',
      severity: 'info',
      subject: { engine: 'podman', containers: [WEB] },
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      await lab.rootless.remove(WEB);
      await lab.rootless.start(WEB, ['--network', NET, '-p', `127.0.0.1:${PORT}:80`], serve(token(lab)));
      return `${WEB} recreated with -p 127.0.0.1:${PORT}:80 (fix summary)`;
    },
  },
  async proveFixed(lab) {
    const result = await hostGet(lab, `http://127.0.0.1:${PORT}/ok`);
    if (!ok(result) || result.stdout.trim() !== token(lab))
      throw new LabError(`host GET http://127.0.0.1:${PORT}/ok: ${clip(output(result), 100)}`);
    const ports = await lab.rootless.must(['port', '--all']);
    return `the host got ${WEB}'s page at 127.0.0.1:${PORT}; \`podman port --all\`: ${clip(ports, 80)}`;
  },
  // An info finding that stays while rootless containers run: what must change is that WEB is published now.
  fixedReport(_report, _lab, stillThere) {
    const evidence = stillThere.flatMap((finding) => finding.evidence).find((item) => item.what.endsWith(` ${WEB}`));
    if (evidence === undefined) return `no evidence line for ${WEB} in the finding`;
    if (!evidence.excerpt.includes(`127.0.0.1:${PORT}->80/tcp`))
      return `${WEB} is still reported without its published port: ${evidence.excerpt}`;
    if (
      stillThere.some((finding) => finding.explanation.includes(WEB) && /no published port/.test(finding.explanation))
    )
      return `${WEB} is still listed as unpublished`;
    return undefined;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
