// The strategy of every resource.
import type { ResourceInfo } from '@k8ts/api';
import type { Strategy } from '../strategy.ts';
import { podStrategy } from './pods.ts';
import { namespaceStrategy } from './namespaces.ts';
import { deploymentStrategy } from './deployments.ts';
import { jobStrategy } from './jobs.ts';

const withStatus: Strategy = { statusSubresource: true };
const createOnUpdate: Strategy = { statusSubresource: false, allowCreateOnUpdate: true };
/** Events take no part in garbage collection: a delete never leaves orphan/foreground finalizers (upstream eventStrategy). */
const events: Strategy = { ...createOnUpdate, defaultGarbageCollectionPolicy: () => 'Unsupported' };

export function strategyFor(info: ResourceInfo, services: Strategy): Strategy {
  switch (`${info.group}/${info.resource}`) {
    case '/pods': return podStrategy;
    case '/namespaces': return namespaceStrategy;
    case '/services': return services;
    case '/nodes': return { statusSubresource: true, keepStatusOnCreate: true };
    case 'apps/deployments': return deploymentStrategy;
    case 'batch/jobs': return jobStrategy;
    case '/events': return events;
    case '/endpoints':
    case 'coordination.k8s.io/leases':
      return createOnUpdate;
    default:
      return info.subresources.some((s) => s.name === 'status') ? withStatus : { statusSubresource: false };
  }
}
