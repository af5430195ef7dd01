import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import { label, routeSubject } from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';

const FINDINGS = {
  'pair.host_service_loopback_only': {
    severity: 'error',
    title: "The host's service listens on loopback only",
    explanation:
      "A container or a network namespace reaches a service of the host at the host's address on its own bridge or veth (its gateway, host.containers.internal, host.docker.internal), never at 127.0.0.1: loopback inside a namespace is the namespace's own. A service that binds 127.0.0.1 (or ::1) answers the host's own programs and no container or namespace: their connections are refused.",
    cause:
      'Databases, development servers and admin interfaces often bind 127.0.0.1 by default; or the service was bound to loopback on purpose, to keep it off the network.',
    fix: "Make the service listen on all addresses (0.0.0.0), or on the host's address on the bridge the container or namespace uses, and restart it; a firewall rule can still keep other machines out.",
    docs: 'https://docs.docker.com/reference/cli/docker/container/run/#add-host',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'pair.host-service',
  title: "The host's service listens where A can reach it",
  docs: FINDINGS['pair.host_service_loopback_only'].docs,
  findings: FINDINGS,
  pathOrder: 3.5,
  async run({ analysis }) {
    const { a, b, route } = analysis;
    if (b.kind !== 'host') return notApplicable('B is not a service of the host');
    if (route === undefined) return notApplicable('the way to the host was not planned');
    if (analysis.probesBlocked !== undefined) return notApplicable(`no probe ran: ${analysis.probesBlocked}`);
    if (analysis.ports.length === 0) return notApplicable('no port of the host was named (host:PORT or --port)');
    const findings: Finding[] = [];
    for (const port of analysis.ports) {
      if (port.listen?.state !== 'loopback_only' || port.outcome === 'open') continue;
      findings.push(
        finding('pair.host_service_loopback_only', {
          subject: routeSubject(analysis),
          title: `The host's service on port ${port.port} listens on ${port.listen.on.join(', ')} only; ${label(a)} reaches the host at ${route.target}`,
          detail: `${label(a)} connects to ${route.target}:${port.port}: ${port.detail}.`,
          evidence: port.evidence,
          fix: {
            summary: `Make the service on port ${port.port} listen on 0.0.0.0 (or on ${route.target}) instead of loopback, restart it, then check what it listens on with the command below.`,
            commands: [shellLine(['ss', '-l', '-t', '-n', '-p', 'sport', '=', `:${port.port}`])],
          },
        }),
      );
    }
    if (findings.length > 0) return verdict(findings, `${label(a)} cannot reach ${label(b)}: ${findings[0]!.title}`);
    const listened = analysis.ports
      .map((port) => `${port.port}: ${port.listen === undefined ? 'not read' : port.listen.on.join(', ') || 'nothing'}`)
      .join('; ');
    return verdict([], `the host listens on ${listened}`);
  },
} satisfies PairCheck;
