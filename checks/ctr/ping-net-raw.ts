import { dockerContainers, dockerState } from '../../src/facts/docker.js';
import type { Container } from '../../src/facts/model.js';
import { podmanContainers, podmanState } from '../../src/facts/podman.js';
import type { Readable } from '../../src/facts/files.js';
import {
  CAP_NET_RAW_BIT,
  containerNetnsSysctls,
  parseRange,
  processStatuses,
  type NetnsSysctl,
  type ProcessStatus,
} from '../../src/facts/processes.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding, Scope } from '../../src/core/types.js';
import type { Check, CheckContext, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const PING_GROUP_RANGE = '/proc/sys/net/ipv4/ping_group_range';

type Assessment = { finding?: Finding; limit?: string };

/** A throwaway container of the same image and network that pings the gateway with NET_RAW. */
function pingProbe(container: Container): string {
  const attachment = container.networks.find((candidate) => candidate.gateway !== undefined);
  const network = attachment ? ['--network', attachment.network] : [];
  const target = attachment?.gateway ?? '127.0.0.1';
  return shellLine([
    container.engine,
    'run',
    '--rm',
    '--cap-add',
    'NET_RAW',
    ...network,
    ...operands(container.image),
    'ping',
    '-c',
    '1',
    '-W',
    '2',
    target,
  ]);
}

interface ProcessFacts {
  status?: Readable<ProcessStatus>;
  range?: Readable<NetnsSysctl>;
}

/**
 * The status of every container's process, then the ping_group_range of the namespaces of those without NET_RAW:
 * each in one read for all containers of a scope, whatever their number.
 */
async function readProcesses(containers: Container[], { facts }: CheckContext): Promise<Map<Container, ProcessFacts>> {
  const read = new Map<Container, ProcessFacts>(containers.map((container) => [container, {}]));
  const scopes: Scope[] = ['rootful', 'rootless'];
  await Promise.all(
    scopes.map(async (scope) => {
      const inScope = containers.filter((container) => container.scope === scope && container.pid !== undefined);
      const statuses = await facts.get(
        processStatuses(
          inScope.map((container) => container.pid!),
          scope,
        ),
      );
      for (const container of inScope) read.get(container)!.status = statuses.get(container.pid!);
      const withoutNetRaw = inScope.filter((container) => {
        const status = statuses.get(container.pid!);
        return status?.ok === true && ((status.value.capEff >> CAP_NET_RAW_BIT) & 1n) === 0n;
      });
      const pids = withoutNetRaw.map((container) => container.pid!);
      const ranges = await facts.get(containerNetnsSysctls(pids, scope, PING_GROUP_RANGE));
      for (const container of withoutNetRaw) read.get(container)!.range = ranges.get(container.pid!);
    }),
  );
  return read;
}

function assess(container: Container, { status, range }: ProcessFacts): Assessment {
  if (container.pid === undefined) return { limit: `${container.name}: no process id` };
  if (status === undefined) return { limit: `${container.name}: its status was not read` };
  if (!status.ok) return { limit: `${container.name}: ${status.reason}` };
  if ((status.value.capEff >> CAP_NET_RAW_BIT) & 1n) return {};
  if (range === undefined) return { limit: `${container.name}: its ping_group_range was not read` };
  if (!range.ok) return { limit: `${container.name}: ${range.reason}` };
  const bounds = parseRange(range.value.raw);
  if (bounds === undefined) return { limit: `${container.name}: unreadable ping_group_range "${range.value.raw}"` };
  const gids = [status.value.effectiveGid, ...status.value.groups];
  if (gids.some((gid) => gid >= bounds.low && gid <= bounds.high)) return {};
  return {
    finding: finding('ctr.ping_without_net_raw', {
      subject: { engine: container.engine, scope: container.scope, containers: [container.name] },
      title: `ping fails in ${container.name}: no CAP_NET_RAW and group ${status.value.effectiveGid} outside ping_group_range "${range.value.raw}"`,
      evidence: [
        {
          source: container.scope === 'rootful' ? 'file' : 'command',
          what: `/proc/${container.pid}/status`,
          excerpt: `${status.value.excerpt} (bit 13, CAP_NET_RAW, is not set)`,
        },
        { source: 'command', what: range.value.command, excerpt: range.value.raw },
      ],
      fix: {
        summary: `Recreate ${container.name} with --cap-add NET_RAW added to the options it was created with (or with --sysctl net.ipv4.ping_group_range="0 2147483647"), or test with TCP instead of ping. The command below shows ping working with NET_RAW on the same network.`,
        commands: [pingProbe(container)],
      },
    }),
  };
}

const FINDINGS = {
  'ctr.ping_without_net_raw': {
    severity: 'warning',
    title: 'ping fails in a container that lacks CAP_NET_RAW',
    explanation:
      'ping needs either the CAP_NET_RAW capability (raw ICMP sockets) or a group inside net.ipv4.ping_group_range of the container (ICMP datagram sockets). This container has neither, so ping prints "permission denied" although the network works: a failed ping is no proof of a broken network here.',
    cause:
      "Podman's default capabilities (Debian's containers.conf) do not include NET_RAW; docker containers lose it with --cap-drop.",
    fix: 'Test with TCP instead, or recreate the container with --cap-add NET_RAW or a ping_group_range that includes its group.',
    docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'ctr.ping-net-raw',
  title: 'ping works in running containers',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  async run(context) {
    const { facts } = context;
    // Asked for beside the engines' states, the listings run beside `docker info` and `podman info`.
    const [docker, podman, dockerListing, podmanListing] = await Promise.all([
      facts.get(dockerState),
      facts.get(podmanState),
      facts.get(dockerContainers),
      facts.get(podmanContainers),
    ]);
    const listings = [
      docker.kind === 'ok' ? dockerListing : undefined,
      podman.kind === 'ok' ? podmanListing : undefined,
    ];
    if (listings.every((listing) => listing === undefined)) return notApplicable('no usable engine');
    const limits: string[] = [];
    const running: Container[] = [];
    for (const listing of listings) {
      if (listing === undefined) continue;
      if (listing.ok) running.push(...listing.items.filter((container) => container.running));
      else limits.push(listing.reason);
    }
    if (running.length === 0 && limits.length === 0) return notApplicable('no running container');
    const processes = await readProcesses(running, context);
    const assessments = running.map((container) => assess(container, processes.get(container)!));
    const findings = assessments.flatMap((assessment) => (assessment.finding ? [assessment.finding] : []));
    limits.push(...assessments.flatMap((assessment) => (assessment.limit ? [assessment.limit] : [])));
    if (running.length > 0 && limits.length >= running.length && findings.length === 0) {
      return { skip: 'cannot_decide', reason: limits.join('; ') };
    }
    return verdict(findings, `${running.length} running container(s) checked`, limits);
  },
} satisfies Check;
