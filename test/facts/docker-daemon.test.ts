import { describe, expect, it } from 'vitest';
import { parseDockerdFlags, parseGoBool } from '../../src/facts/docker-daemon.js';
import { parseCmdline } from '../../src/facts/processes.js';
import { recordedFile } from '../helpers/recorded.js';
import { hostSnapshot, labState, snapshotOf } from '../helpers/recordings.js';

// The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
const live = snapshotOf(hostSnapshot('live-root-icc-off'));

describe('dockerd configuration', () => {
  it("reads the running dockerd's command line (no switch set)", () => {
    const argv = parseCmdline(recordedFile(live, '/proc/23055/cmdline').content);
    expect(argv).toEqual(['dockerd']);
    expect(parseDockerdFlags(argv)).toEqual({ switches: {}, dns: [] });
  });

  it('reads --iptables=false from the command line the lab started dockerd with', () => {
    const recorded = snapshotOf(labState('docker-iptables-off.broken'));
    const cmdline = recorded.files.find(
      (entry) => /^\/proc\/\d+\/cmdline$/.test(entry.path) && entry.ok && entry.content.startsWith('dockerd'),
    );
    if (cmdline === undefined || !cmdline.ok) throw new Error('no dockerd command line in the recording');
    expect(parseDockerdFlags(parseCmdline(cmdline.content))).toEqual({
      switches: { iptables: { value: false, source: 'flag', excerpt: '--iptables=false' } },
      dns: [],
    });
    // dockerd's flags are Go bools: only "=value" sets a value, with strconv.ParseBool's spellings.
    expect(['1', 'T', 'True', '0', 'f', 'FALSE', 'no'].map(parseGoBool)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      undefined,
    ]);
  });
});
