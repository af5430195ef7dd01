import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../checks/index.js';
import { Facts } from '../src/core/facts.js';
import { parseSnapshot } from '../src/host/snapshot.js';
import { runChecks } from '../src/pipeline/runner.js';
import { RECORDED_CHECKS } from './lab/lib/netdoctor.js';
import { FakeHost } from './helpers/fake-host.js';

// Recorded by `node dist/test/lab/run.js record NAME@gen2` in the lab's second generation (Debian 13: podman 5.4.2,
// netavark 1.14 with nftables, pasta, docker 26.1.5), limited to the checks RECORDED_CHECKS names. When a check
// starts to read something they lack, re-record them (test/lab/README.md, "The fixtures").
const GEN2 = fileURLToPath(new URL('./fixtures/snapshots/gen2/', import.meta.url));
const NAMES = readdirSync(GEN2)
  .filter((file) => file.endsWith('.json') && !file.endsWith('.report.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

describe('the gen2 lab snapshots', () => {
  it('exist for every gen2 baseline', () => {
    expect(NAMES.filter((name) => name.endsWith('.healthy'))).toEqual(
      expect.arrayContaining([
        'baseline-podman-netavark.healthy',
        'baseline-rootless.healthy',
        'baseline-docker.healthy',
        'baseline-docker-podman.healthy',
        'baseline-rootless-pasta-port.healthy',
      ]),
    );
  });

  it.each(NAMES)('hold everything the recorded checks ask for (%s)', async (name) => {
    const path = `${GEN2}${name}.json`;
    const host = new FakeHost({ snapshot: parseSnapshot(readFileSync(path, 'utf8'), path) });
    const checks = HOST_CHECKS.filter((check) => RECORDED_CHECKS.includes(check.id));
    const results = await runChecks(checks, { host, facts: new Facts(host) });
    expect(results.filter((result) => result.status === 'error')).toEqual([]);
  });
});
