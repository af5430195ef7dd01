import { LabError, brief, ok } from '../lib/exec.js';
import { EXT_IP } from '../lib/paths.js';
import { egress, expectProbe, lookup, nameservers } from '../lib/probes.js';
import type { BaselineScenario } from '../scenario.js';

const WEB = 'ndl-bpp-web';
const PORT = '18081';

export default {
  kind: 'baseline',
  name: 'baseline-rootless-pasta-port',
  description:
    "the issue's new user: ndlab's rootless podman 5 on a podman-only host, default network pasta (slirp4netns not installed): a published port answers on the host's 127.0.0.1, the container reaches 198.51.100.2 and resolves ext.test through pasta's DNS forwarder",
  identity: 'ndlab',
  generations: [2],
  async setup(lab) {
    await lab.rootless.startWeb(WEB, ['-p', `${PORT}:80`]);
  },
  async proveHealthy(lab) {
    const command = await lab.rootless.must(['info', '--format', '{{.Host.RootlessNetworkCmd}}']);
    if (command !== 'pasta') throw new LabError(`rootless podman uses ${command}, not pasta`);
    const slirp = await lab.root(['sh', '-c', 'command -v slirp4netns']);
    if (ok(slirp)) throw new LabError(`slirp4netns is installed (${slirp.stdout.trim()})`);
    const page = await lab.root(
      ['timeout', '4', 'busybox', 'wget', '-q', '-O-', `http://127.0.0.1:${PORT}/ok`],
      10_000,
    );
    if (!ok(page) || page.stdout.trim() !== 'ok')
      throw new LabError(`the host's 127.0.0.1:${PORT} did not answer with the container's page (${brief(page)})`);
    const outside = expectProbe(await egress(lab.rootless, WEB), 'pass');
    const [server] = await nameservers(lab.rootless, WEB);
    if (server === undefined) throw new LabError(`${WEB}'s resolv.conf names no nameserver`);
    const ext = await lookup(lab.rootless, WEB, 'ext.test', server);
    expectProbe(ext, 'pass');
    if (ext.address !== EXT_IP) throw new LabError(`ext.test resolved to ${ext.address} via ${server}`);
    return `rootless network: ${command}, no slirp4netns; the host's 127.0.0.1:${PORT} answers with the container's page; ${outside}; ext.test resolves via ${server} (pasta's forwarder)`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
