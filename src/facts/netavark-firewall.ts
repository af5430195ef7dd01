import { defineFact, detailIfRecorded, doesNotApply, unreadable, type NoValue } from '../core/facts.js';
import { containersConf } from './containers-conf.js';
import { firewallModel } from './firewall.js';
import { podmanState } from './podman.js';

/** The firewall driver netavark programs podman's rules with, as far as the host tells. */
export interface NetavarkFirewallDriver {
  ok: true;
  /** iptables, nftables, firewalld or none; undefined when nothing on the host names it. */
  driver?: string;
  /** How it is known, or why it is not, in words. */
  from: string;
}

const NETAVARK_CHAIN = /^NETAVARK/;

/**
 * `firewall_driver` of containers.conf, which podman 5 hands to netavark, decides; without it netavark uses the
 * default it was built with, which `podman info` does not name (5.4.2), so it is read from the rules it wrote:
 * `table inet netavark` (nftables) or NETAVARK_* iptables chains. Those are seen only as root.
 */
export const netavarkFirewallDriver = defineFact<NetavarkFirewallDriver | NoValue>(
  'podman:netavark-firewall-driver',
  async (facts) => {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return doesNotApply('podman is not installed');
    if (podman.kind === 'unusable') return unreadable(podman.reason);
    if (podman.info.networkBackend !== 'netavark') return doesNotApply(`podman uses ${podman.info.networkBackend}`);
    const conf = await facts.get(containersConf);
    const origin = conf.origin.firewall_driver;
    if (conf.firewallDriver !== undefined && origin !== undefined)
      return { ok: true, driver: conf.firewallDriver, from: `firewall_driver = "${conf.firewallDriver}" in ${origin}` };
    const unset = 'no firewall_driver in containers.conf';
    if (podman.scope !== 'rootful')
      return {
        ok: true,
        from: `${unset}: netavark's built-in default, which podman info does not name and whose rules live in the rootless network namespace`,
      };
    const firewall = await detailIfRecorded(facts, firewallModel);
    if (firewall?.ok) {
      const nft = firewall.model.tables.some((table) => table.backend === 'nft' && table.name === 'netavark');
      const iptables = firewall.model.tables.some(
        (table) => table.backend !== 'nft' && table.chains.some((chain) => NETAVARK_CHAIN.test(chain.name)),
      );
      if (nft && !iptables)
        return { ok: true, driver: 'nftables', from: `${unset}; its rules are in table inet netavark` };
      if (iptables && !nft)
        return { ok: true, driver: 'iptables', from: `${unset}; its rules are in NETAVARK_* iptables chains` };
    }
    return {
      ok: true,
      from: `${unset}: netavark's built-in default, which podman info does not name and no rule of netavark shows now`,
    };
  },
);
