import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../../checks/index.js';
import type { Check } from '../../src/core/check.js';

const CHECKS_DIR = fileURLToPath(new URL('../../checks/', import.meta.url));
const TESTS_DIR = fileURLToPath(new URL('./', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Every `<area>/<name>` with a file in the folder, for files ending in `suffix`. */
function areaFiles(folder: string, suffix: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((area) =>
      readdirSync(`${folder}${area.name}`)
        .filter((name) => name.endsWith(suffix))
        .map((name) => `${area.name}/${name.slice(0, -suffix.length)}`),
    )
    .sort();
}

const CHECK_FILES = areaFiles(CHECKS_DIR, '.ts');
const REGISTERED: readonly Check<never>[] = [...HOST_CHECKS, ...PAIR_CHECKS];

describe('checks/', () => {
  it.each(CHECK_FILES)('%s has the id of its path, is registered, and has its test file', async (path) => {
    const { default: check } = (await import(pathToFileURL(`${CHECKS_DIR}${path}.ts`).href)) as {
      default: Check<never>;
    };
    const [area, name] = path.split('/');
    expect(check.id).toBe(`${area}.${name}`);
    expect(REGISTERED).toContain(check);
    for (const id of Object.keys(check.findings)) expect(id.startsWith(`${area}.`), id).toBe(true);
    expect(existsSync(`${TESTS_DIR}${path}.test.ts`), `test/checks/${path}.test.ts`).toBe(true);
  });

  it('registers nothing but its files, each once, sorted by id', () => {
    const ids = REGISTERED.map((check) => check.id);
    expect([...ids].sort()).toEqual(CHECK_FILES.map((path) => path.replace('/', '.')));
    expect(HOST_CHECKS.map((check) => check.id)).toEqual(
      HOST_CHECKS.map((check) => check.id).sort((left, right) => left.localeCompare(right)),
    );
    expect(PAIR_CHECKS.map((check) => check.id)).toEqual(
      PAIR_CHECKS.map((check) => check.id).sort((left, right) => left.localeCompare(right)),
    );
    expect(PAIR_CHECKS.every((check) => check.id.startsWith('pair.'))).toBe(true);
  });

  it('has a test file for nothing else', () => {
    expect(areaFiles(TESTS_DIR, '.test.ts')).toEqual(CHECK_FILES);
  });

  // Finding ids are a public contract (docs/findings.md): support engineers grep for them, CI pipelines
  // allow-list them. An id never changes meaning and is never renamed; this table changes only by growing.
  it('reports the finding ids of the catalog, each from the check named here', () => {
    expect(Object.fromEntries(REGISTERED.map((check) => [check.id, Object.keys(check.findings)]))).toEqual({
      'aardvark.binary': ['aardvark.missing'],
      'aardvark.running': ['aardvark.not_running'],
      'cni.dnsmasq': ['cni.dnsmasq_missing'],
      'cni.dnsmasq-running': ['cni.dnsmasq_not_running'],
      'cni.dnsname': ['cni.dnsname_absent'],
      'ctr.ping-net-raw': ['ctr.ping_without_net_raw'],
      'dns.default-network': ['dns.default_network_no_dns'],
      'dns.host-resolver': ['dns.host_resolver_loopback_only'],
      'dns.port53': ['dns.port53_taken_for_aardvark'],
      'dns.port53-dnsname': ['dns.port53_taken_for_dnsname'],
      'dns.upstream': ['dns.upstream_unreachable'],
      'docker.cli-is-podman': ['docker.cli_is_podman'],
      'docker.docker-user': ['docker.docker_user_drop'],
      'docker.forward-drop-other-bridges': ['docker.forward_drop_breaks_other_bridges'],
      'docker.icc': ['docker.icc_disabled'],
      'docker.iptables': ['docker.iptables_or_masq_disabled'],
      'engine.reachable': ['engine.unreachable'],
      'fw.br-netfilter-forward': ['fw.br_netfilter_forward_drop'],
      'fw.engine-rules': ['fw.engine_rules_flushed'],
      'fw.firewalld-zones': ['fw.firewalld_zone_blocks'],
      'fw.foreign-forward': ['fw.foreign_forward_drop'],
      'fw.input-dns': ['fw.input_drop_blocks_bridge_dns'],
      'fw.iptables-backend': ['fw.iptables_backend_split'],
      'fw.ufw': ['fw.ufw_bypassed_by_published_ports'],
      'host.handmade-forward': ['host.ip_forward_disabled'],
      'host.ip-forward': ['host.ip_forward_disabled'],
      'host.iptables-binary': ['host.iptables_binary_missing'],
      'host.ipv6-forwarding': ['host.ipv6_forwarding_disabled'],
      'host.wsl': ['host.wsl2'],
      'kernel.netfilter-modules': ['kernel.netfilter_modules_missing'],
      'mixed.docker-forward-podman-ingress': ['mixed.docker_forward_drop_breaks_podman_ingress'],
      'mtu.path-mtu': ['mtu.exceeds_path_mtu'],
      'net.conntrack': ['net.conntrack_table_full'],
      'net.host-port': ['net.host_port_in_use'],
      'net.internal': ['net.internal_network'],
      'net.macvlan': ['net.macvlan_host_isolation'],
      'net.rp-filter': ['net.rp_filter_strict'],
      'net.subnet-overlap': ['net.subnet_overlaps_host_route'],
      'netns.bridge-address': ['netns.bridge_no_address'],
      'netns.masquerade': ['netns.no_masquerade'],
      'netns.no-route': ['netns.no_route'],
      'netns.veth-down': ['netns.veth_down'],
      'podman.backend': ['podman.backend_is_cni'],
      'podman.netavark-aardvark-versions': ['podman.netavark_aardvark_mismatch'],
      'rootless.container-ip': ['rootless.container_ip_unroutable_from_host'],
      'rootless.dev-net-tun': ['rootless.dev_net_tun'],
      'rootless.linger': ['rootless.no_linger'],
      'rootless.netfilter-preload': ['rootless.netfilter_modules_not_preloaded'],
      'rootless.pasta': ['rootless.pasta_missing'],
      'rootless.pasta-host-address': ['rootless.pasta_host_address'],
      'rootless.ping-group-range': ['rootless.ping_group_range'],
      'rootless.privileged-port': ['rootless.privileged_port'],
      'rootless.slirp4netns': ['rootless.slirp4netns_missing'],
      'pair.engines': ['pair.different_engines'],
      'pair.host-service': ['pair.host_service_loopback_only'],
      'pair.icmp': ['pair.icmp_blocked'],
      'pair.name': ['pair.name_not_resolvable'],
      'pair.reachable': ['pair.reachable'],
      'pair.route-reachable': ['pair.reachable'],
      'pair.route-tcp': ['pair.tcp_port_closed'],
      'pair.running': ['pair.not_running'],
      'pair.shared-network': ['pair.no_shared_network'],
      'pair.tcp': ['pair.tcp_port_closed'],
    });
  });
});

describe('the recorded broken states', () => {
  const tables = areaFiles(TESTS_DIR, '.test.ts')
    .map((path) => readFileSync(`${TESTS_DIR}${path}.test.ts`, 'utf8'))
    .join('\n');
  const broken = (folder: string) =>
    readdirSync(`${FIXTURES}${folder}`)
      .filter((name) => name.endsWith('.broken.json'))
      .map((name) => name.slice(0, -'.json'.length));

  // A state the lab broke and recorded is worth nothing until the table of the check it breaks says what it
  // must show there.
  it.each([...broken('snapshots/lab'), ...broken('rulesets/lab')])('%s is a case in the table of a check', (state) => {
    expect(tables).toContain(`'${state}'`);
  });
});
