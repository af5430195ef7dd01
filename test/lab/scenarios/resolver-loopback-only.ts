import { access } from 'node:fs/promises';
import { LabError, brief, ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { EXT_IP } from '../lib/paths.js';
import { expectProbe, lookup, nameservers } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NAME = 'ndl-p2res';
/** A local caching resolver, as dnsmasq on 127.0.1.1 is on many desktops: it forwards to the lab's DNS server. */
const STUB = '127.0.1.1';
const STUB_PID = '/run/netdoctor-lab/ndl-p2res-stub.pid';
const DROP_IN_DIR = '/etc/containers/containers.conf.d';

async function stopStub(lab: Lab): Promise<void> {
  const pid = lab.maybe('stub');
  if (pid !== undefined) await lab.root(['kill', pid]);
}

export default {
  kind: 'broken',
  name: 'resolver-loopback-only',
  ids: ['dns.host_resolver_loopback_only'],
  description: `the host resolves through a dnsmasq stub on ${STUB} (its only nameserver): containers on podman's default network get no usable nameserver`,
  identity: 'root',
  async setup(lab) {
    await lab.mustRoot([
      'dnsmasq',
      `--pid-file=${STUB_PID}`,
      '--user=root',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
      `--listen-address=${STUB}`,
      `--server=${EXT_IP}`,
    ]);
    lab.set('stub', await lab.mustRoot(['cat', STUB_PID]));
    await lab.guard.writeFile('/etc/resolv.conf', `nameserver ${STUB}\n`);
    // The printed fix writes a drop-in there; the folder goes when the scenario ends.
    if (
      !(await access(DROP_IN_DIR).then(
        () => true,
        () => false,
      ))
    )
      await lab.guard.tree(DROP_IN_DIR);
    await lab.podman.start(`${NAME}-a`, []);
  },
  async proveBroken(lab) {
    const host = await lab.root(['busybox', 'nslookup', '-type=a', 'ext.test', STUB], 15_000);
    if (!ok(host) || !host.stdout.includes(EXT_IP))
      throw new LabError(`the host itself does not resolve ext.test through ${STUB} (${brief(host)})`);
    const servers = await nameservers(lab.podman, `${NAME}-a`);
    if (servers.includes(STUB)) throw new LabError(`${NAME}-a lists ${STUB}`);
    const failed = expectProbe(await lookup(lab.podman, `${NAME}-a`, 'ext.test', STUB, 3), 'fail');
    return `the host resolves ext.test through ${STUB}; ${NAME}-a's resolv.conf lists ${servers.join(', ') || 'nothing'}; ${failed}`;
  },
  expect: () => [{ id: 'dns.host_resolver_loopback_only', severity: 'warning', subject: { path: '/etc/resolv.conf' } }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    adapt: (commands) => ({
      commands: commands
        .filter((command) => !/docker|dockerd|setsid|kill /.test(command))
        .map((command) => command.replaceAll('UPSTREAM_DNS_IP', EXT_IP)),
      note: `${EXT_IP} is the upstream the stub forwards to; docker's part (daemon.json and a dockerd restart) is left out, since restarting dockerd stops other sessions' containers`,
    }),
    async then(lab) {
      await lab.podman.remove(`${NAME}-a`);
      await lab.podman.start(`${NAME}-a`, []);
      return `${NAME}-a recreated`;
    },
  },
  async proveFixed(lab) {
    const servers = await nameservers(lab.podman, `${NAME}-a`);
    const found = expectProbe(await lookup(lab.podman, `${NAME}-a`, 'ext.test', EXT_IP), 'pass');
    return `${NAME}-a's resolv.conf lists ${servers.join(', ')}; ${found}`;
  },
  // Docker's default bridge still has no nameserver of its own: the finding stays, naming docker alone.
  fixedReport: (_report, _lab, stillThere) =>
    stillThere.some((finding) => finding.subject.engine !== 'docker')
      ? `podman is still named: ${stillThere.map((finding) => finding.explanation).join(' | ')}`
      : undefined,
  async restore(lab) {
    await stopStub(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
