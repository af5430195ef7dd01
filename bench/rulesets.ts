/**
 * Large rulesets for the parser benchmark: the live host's recorded rulesets (podman and docker containers
 * publishing ports), replicated to at least 10,000 rules with distinct chain names, comments and addresses.
 */
import { readFileSync } from 'node:fs';
import type { NftJsonObject } from '../src/netfilter/nft.js';

const TARGET_RULE_COUNT = 10_000;

/** A ruleset recorded on the lab host, from the checkout at `repo`. */
export function recordedRuleset(repo: string, name: string): string {
  return readFileSync(`${repo}/test/fixtures/rulesets/${name}`, 'utf8');
}

/** Replica `index` of the podman subnet 10.89.0.0/24: 10.<high>.<low>.0/24, distinct for each replica. */
function replicaSubnetPrefix(index: number): string {
  return `10.${Math.floor(index / 256)}.${index % 256}.`;
}

/**
 * Builds iptables-save text whose built-in chains hold every recorded rule once per replica, and whose
 * user-defined chains are copied once per replica under new names.
 */
export function scaleIptablesSave(text: string): { text: string; ruleCount: number } {
  const lines = text.split('\n');
  const userChains = new Set(
    lines.filter((line) => / - \[\d+:\d+\]$/.test(line)).map((line) => line.slice(1).split(' ')[0] ?? ''),
  );
  const recordedRuleCount = lines.filter((line) => line.startsWith('-A ')).length;
  const replicas = Math.ceil(TARGET_RULE_COUNT / recordedRuleCount);

  const output: string[] = [];
  let section: string[] = [];
  const flushSection = (): void => {
    for (let index = 0; index < replicas; index += 1) {
      for (const line of section) {
        const replica = line
          .split(' ')
          .map((word) => {
            const declared = word.startsWith(':') ? word.slice(1) : word;
            return userChains.has(declared) ? `${word}-R${index}` : word;
          })
          .join(' ')
          .replaceAll('10.89.0.', replicaSubnetPrefix(index))
          .replaceAll('--comment "', `--comment "replica ${index}: `);
        output.push(replica);
      }
    }
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('-A ') || / - \[\d+:\d+\]$/.test(line)) {
      section.push(line);
    } else {
      if (line === 'COMMIT') flushSection();
      output.push(line);
    }
  }
  return { text: output.join('\n'), ruleCount: recordedRuleCount * replicas };
}

/** Builds an nft JSON document whose regular chains and all rules are copied once per replica. */
export function scaleNftJson(text: string): { text: string; ruleCount: number } {
  const entries = (JSON.parse(text) as { nftables: NftJsonObject[] }).nftables;
  const regularChainName = (entry: NftJsonObject): string | null => {
    const chain = entry['chain'];
    const isObject = typeof chain === 'object' && chain !== null && !Array.isArray(chain);
    return isObject && chain['hook'] === undefined && typeof chain['name'] === 'string' ? chain['name'] : null;
  };
  const quotedChainNames = [...new Set(entries.map(regularChainName).filter((name) => name !== null))].map(
    (name) => `"${name}"`,
  );
  const recordedRuleCount = entries.filter((entry) => entry['rule'] !== undefined).length;
  const replicas = Math.ceil(TARGET_RULE_COUNT / recordedRuleCount);

  let nextHandle = 1_000;
  const output: NftJsonObject[] = [];
  for (const entry of entries) {
    if (entry['rule'] === undefined && regularChainName(entry) === null) {
      output.push(entry);
      continue;
    }
    for (let index = 0; index < replicas; index += 1) {
      const replica = quotedChainNames
        .reduce(
          (renamed, quoted) => renamed.replaceAll(quoted, `${quoted.slice(0, -1)}-R${index}"`),
          JSON.stringify(entry),
        )
        .replaceAll('"10.89.0.', `"${replicaSubnetPrefix(index)}`)
        .replace(/"handle":\d+/, `"handle":${nextHandle}`);
      nextHandle += 1;
      output.push(JSON.parse(replica) as NftJsonObject);
    }
  }
  return { text: JSON.stringify({ nftables: output }), ruleCount: recordedRuleCount * replicas };
}
