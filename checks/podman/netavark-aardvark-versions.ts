import { podmanState, type HelperBinaryInfo } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const DOCS = 'https://github.com/containers/aardvark-dns/pull/447';

const FINDINGS = {
  'podman.netavark_aardvark_mismatch': {
    severity: 'warning',
    title: 'netavark and aardvark-dns are of different releases',
    explanation:
      'netavark writes the per-network configuration files that aardvark-dns reads and starts aardvark-dns itself; the two are released together with the same version number and tested only as a pair (Debian ties each aardvark-dns package to a netavark of at least its own release; in containers/podman#16369: "older aardvark-dns is not compatible with newer netavark, they must be on same version"). A pair of different major.minor versions can still resolve container names while features that need both halves are missing.',
    cause:
      'One of the two was upgraded or downgraded without the other (a partial upgrade, a pin, packages from two sources), or a binary in the helper directory was replaced by hand.',
    fix: 'Install netavark and aardvark-dns of the same release from the same source, then stop and start again the containers on DNS-enabled networks: a running aardvark-dns keeps serving until the last of them is gone.',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

type MajorMinor = readonly [number, number];

/**
 * What is known to break when netavark is at least `netavark` and aardvark-dns is older than `aardvarkBelow`: each
 * is a feature where the newer netavark relies on the aardvark-dns of its own release.
 */
const KNOWN_EFFECTS: readonly { netavark: MajorMinor; aardvarkBelow: MajorMinor; effect: string }[] = [
  {
    netavark: [1, 11],
    aardvarkBelow: [1, 11],
    effect:
      'containers on internal networks get answers for outside names: netavark 1.11 and later mark the aardvark-dns configuration of an internal network with a "%int" file-name suffix, which aardvark-dns before 1.11 does not know, so it forwards their queries to the upstream resolvers instead of answering NXDOMAIN (containers/aardvark-dns#447, containers/netavark commit 0e03c7c)',
  },
  {
    netavark: [1, 12],
    aardvarkBelow: [1, 12],
    effect:
      'DNS over TCP to the network gateway is refused: aardvark-dns listens on TCP only since 1.12 (netavark 1.12.2 and later let TCP port 53 through for it), and resolvers retry over TCP when an answer does not fit in UDP',
  },
];

function majorMinor(version: string): MajorMinor | undefined {
  const match = /(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function atLeast(version: MajorMinor, floor: MajorMinor): boolean {
  return version[0] !== floor[0] ? version[0] > floor[0] : version[1] >= floor[1];
}

function label(version: MajorMinor): string {
  return `${version[0]}.${version[1]}`;
}

/** Debian's `name_version_arch`, as podman reports the package owning a path on dpkg systems. */
function debianPackage(packageField: string): { name: string; version: string } | undefined {
  const match = /^([a-z0-9][a-z0-9+.-]+)_([^_\s]+)_[a-z0-9-]+$/.exec(packageField);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

function describe(binary: HelperBinaryInfo): string {
  return `${binary.version} (${binary.path || 'path not reported'}, package ${binary.package || 'not reported'})`;
}

export default {
  id: 'podman.netavark-aardvark-versions',
  title: 'netavark and aardvark-dns of the same release',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    if (podman.info.networkBackend !== 'netavark')
      return notApplicable(`podman uses the ${podman.info.networkBackend} backend, which has no aardvark-dns`);
    const tools = podman.info.networkBackendInfo;
    if (tools === undefined)
      return cannotDecide(
        `podman ${podman.info.version} does not report the versions of netavark and aardvark-dns (host.networkBackendInfo in \`podman info\`)`,
      );
    const netavark = tools.backend;
    const aardvark = tools.dns;
    if (aardvark === undefined || aardvark.version === '')
      return notApplicable('podman found no aardvark-dns, so there is no pair to compare (aardvark.binary covers it)');
    const netavarkVersion = majorMinor(netavark.version);
    const aardvarkVersion = majorMinor(aardvark.version);
    if (netavarkVersion === undefined || aardvarkVersion === undefined)
      return cannotDecide(
        `no major.minor version in podman info's "${netavark.version}" (netavark) and "${aardvark.version}" (aardvark-dns)`,
      );
    if (label(netavarkVersion) === label(aardvarkVersion))
      return verdict([], `${netavark.version} and ${aardvark.version}: the same release`);

    const effects = KNOWN_EFFECTS.filter(
      (known) => atLeast(netavarkVersion, known.netavark) && !atLeast(aardvarkVersion, known.aardvarkBelow),
    ).map((known) => known.effect);
    const notes: string[] = [
      effects.length > 0
        ? `Known effects of this combination: ${effects.join('; ')}.`
        : 'No failure specific to this combination is documented; the pair is simply not one that was tested together.',
    ];
    const owner = debianPackage(aardvark.package);
    const ownerVersion = owner ? majorMinor(owner.version) : undefined;
    if (ownerVersion !== undefined && label(ownerVersion) !== label(aardvarkVersion))
      notes.push(
        `The binary at ${aardvark.path} reports ${aardvark.version} while the package that owns the path, ${aardvark.package}, is of release ${label(ownerVersion)}: the file is not the one its package installed.`,
      );

    const netavarkPackage = debianPackage(netavark.package);
    const commands =
      owner && netavarkPackage
        ? [shellLine(['apt-get', 'install', '--reinstall', '-y', ...operands(netavarkPackage.name, owner.name)])]
        : [];
    return verdict(
      [
        finding('podman.netavark_aardvark_mismatch', {
          subject: { engine: 'podman', scope: podman.scope, path: aardvark.path },
          title: `netavark ${label(netavarkVersion)} runs with aardvark-dns ${label(aardvarkVersion)}`,
          detail: notes.join(' '),
          evidence: [
            {
              source: 'command',
              what: shellLine(['podman', 'info', '--format', 'json']),
              excerpt: `host.networkBackendInfo: ${describe(netavark)}; dns: ${describe(aardvark)}`,
            },
          ],
          fix: {
            commands,
            ...(commands.length === 0
              ? {
                  summary: `Install the aardvark-dns of netavark's release (${label(netavarkVersion)}) from the source netavark came from, or both packages anew; then stop and start again the containers on DNS-enabled networks, so that aardvark-dns restarts.`,
                }
              : {}),
          },
        }),
      ],
      `${netavark.version} with ${aardvark.version}`,
    );
  },
} satisfies Check;
