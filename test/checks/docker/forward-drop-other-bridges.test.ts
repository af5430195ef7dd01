import check from '../../../checks/docker/forward-drop-other-bridges.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'docker.forward_drop_breaks_other_bridges';

checkCases(check, [
  // dockerd started as at boot next to the tutorial's bridge and a libvirt-style one whose accepts live in an nft
  // table of their own: a drop in docker's table is final whatever another table accepted.
  {
    on: labState('netns-docker-forward-drop.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hd-br', namespaces: ['ndl-hd-red', 'ndl-hd-blue'] },
        title:
          "Docker's FORWARD DROP policy drops the traffic of bridge ndl-hd-br (same-bridge, to-outside, reply-from-outside)",
        fix: {
          commands: [
            'iptables -I DOCKER-USER 1 -i ndl-hd-br -j ACCEPT',
            'iptables -I DOCKER-USER 1 -o ndl-hd-br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
          ],
        },
      },
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hd-virbr0', namespaces: ['ndl-hd-guest'] },
        title:
          "Docker's FORWARD DROP policy drops the traffic of bridge ndl-hd-virbr0 (same-bridge, to-outside, reply-from-outside)",
      },
    ],
    nothingElse: true,
  },
  { on: labState('netns-docker-forward-drop.fixed'), gone: [ID] },
  // The tutorial's accepts for its bridge in FORWARD (appended before docker's DROP policy decides).
  { on: labState('netns-no-route.fixed'), gone: [ID] },
  // A bridge without a port carries nothing to drop.
  {
    on: labState('baseline-handmade.healthy'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'no bridge outside the container engines has a port that is up',
    },
  },
]);
