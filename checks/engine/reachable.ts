import { dockerDaemon } from '../../src/facts/docker-daemon.js';
import { dockerState, formatSeconds, type DockerUnreachableCause } from '../../src/facts/docker.js';
import { systemdRunning } from '../../src/facts/files.js';
import { podmanState } from '../../src/facts/podman.js';
import { detailIfRecorded } from '../../src/core/facts.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

function dockerFix(
  cause: DockerUnreachableCause,
  user: string,
  systemd: boolean,
): { summary: string; commands: string[] } {
  const start = systemd ? 'systemctl start docker' : 'setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &';
  const restart = systemd ? ['systemctl restart docker'] : ['pkill -x dockerd', start];
  switch (cause) {
    case 'socket-missing':
      return { summary: 'Start dockerd, then check that docker info answers.', commands: [start, 'docker info'] };
    case 'permission-denied':
      return {
        summary: `Give ${user} access to the docker socket (the docker group is root-equivalent), then log in again.`,
        commands: [shellLine(['usermod', '-aG', 'docker', user])],
      };
    case 'refused':
    case 'timeout':
      return {
        summary: 'Restart dockerd, then check that docker info answers.',
        commands: [...restart, 'docker info'],
      };
    case 'error':
      return { summary: 'Read the error that docker info prints and repair what it names.', commands: ['docker info'] };
  }
}

const FINDINGS = {
  'engine.unreachable': {
    severity: 'error',
    title: 'Container engine cannot be used',
    explanation:
      'The engine CLI is installed, but its daemon or its configuration cannot be used, so no container of this engine can be created, inspected or diagnosed.',
    cause:
      'dockerd is not running, its socket is missing or refuses connections, the user lacks permission on the socket, the daemon hangs, or podman fails to start (broken configuration or storage).',
    fix: 'Start the daemon, or give the user access to its socket, or repair the configuration that the error names.',
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'engine.reachable',
  title: 'Container engines answer',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/daemon/troubleshoot/',
  async run({ host, facts }) {
    const [docker, podman, systemd] = await Promise.all([
      facts.get(dockerState),
      facts.get(podmanState),
      facts.get(systemdRunning),
    ]);
    if (docker.kind === 'absent' && podman.kind === 'absent')
      return notApplicable('neither docker nor podman is installed');
    const findings: Finding[] = [];
    const seen: string[] = [];
    const limits: string[] = [];
    if (docker.kind === 'unreachable') {
      // A stopped (SIGSTOP) dockerd hangs every client, and SIGTERM stays pending until it is continued.
      const daemon = docker.cause === 'timeout' ? await detailIfRecorded(facts, dockerDaemon) : undefined;
      const stopped = daemon?.ok && daemon.config.process.state === 'T' ? daemon.config.process : undefined;
      findings.push(
        finding('engine.unreachable', {
          subject: { engine: 'docker' },
          title: `Docker daemon cannot be used: ${docker.cause.replace('-', ' ')}`,
          detail: stopped
            ? `${docker.reason}. dockerd (pid ${stopped.pid}) is stopped (process state T).`
            : docker.reason,
          evidence: stopped
            ? [
                ...docker.evidence,
                { source: 'file', what: `/proc/${stopped.pid}/status`, excerpt: `State: ${stopped.state} (stopped)` },
              ]
            : docker.evidence,
          fix: stopped
            ? {
                summary: `dockerd (pid ${stopped.pid}) was stopped by a signal: let it continue.`,
                commands: [`kill -CONT ${stopped.pid}`, 'docker info'],
              }
            : dockerFix(docker.cause, host.context.user, systemd),
        }),
      );
    } else if (docker.kind === 'ok') {
      seen.push(`docker ${docker.info.serverVersion} answers`);
    } else if (docker.kind === 'client-only') {
      seen.push(docker.reason);
    } else if (docker.kind === 'no-access') {
      limits.push(docker.reason);
    }
    if (podman.kind === 'unusable' && podman.timedOut !== undefined) {
      const after = formatSeconds(podman.timedOut.afterMs);
      findings.push(
        finding('engine.unreachable', {
          subject: { engine: 'podman' },
          title: `Podman does not answer: \`podman info\` timed out after ${after}`,
          detail: `\`podman info\` was killed after ${after} without an answer. That is a hang, not a failure to start: podman waits for something, most often a lock that another podman process holds (a stuck podman command, conmon or netavark), or storage on a disk or network share that does not answer. Other podman commands on this host will hang the same way, so what depends on podman could not be diagnosed. On a host that is only slow, a longer --command-timeout (and --timeout) lets netdoctor wait for it.`,
          evidence: podman.evidence,
          fix: {
            summary:
              'Find the podman processes that hold its locks and what they wait for, end the stuck one, then check that podman info answers.',
            commands: [shellLine(['pgrep', '-a', '-f', 'podman|conmon|netavark']), 'podman --log-level=debug info'],
          },
        }),
      );
    } else if (podman.kind === 'unusable') {
      findings.push(
        finding('engine.unreachable', {
          subject: { engine: 'podman' },
          title: 'Podman fails to start',
          detail: podman.reason,
          evidence: podman.evidence,
          fix: {
            summary: 'Run podman info with debug logging and repair what the error names.',
            commands: ['podman --log-level=debug info'],
          },
        }),
      );
    } else if (podman.kind === 'ok') {
      seen.push(`podman ${podman.info.version} (${podman.scope}) answers`);
    }
    if (findings.length === 0 && seen.length === 0 && limits.length > 0) return cannotDecide(limits.join('; '));
    return verdict(findings, seen.join('; '), limits);
  },
} satisfies Check;
