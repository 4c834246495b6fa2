// Authorization: the single replaceable decision. Everything is allowed until RBAC arrives.
import { qualifiedResource, statusError } from '@k8ts/api/status.ts';
import type { StatusDetails, StatusError } from '@k8ts/api/status.ts';
import type { RequestAttributes } from './requestinfo.ts';
import type { UserInfo } from './user.ts';

export type AuthorizationAttributes = Pick<RequestAttributes, 'verb' | 'path'> & Partial<Omit<RequestAttributes, 'verb' | 'path'>>;

export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

export type Authorizer = (user: UserInfo, attrs: AuthorizationAttributes) => AuthorizationDecision;

/** The cluster's authorizer: currently AlwaysAllow. */
export const authorize: Authorizer = () => ({ allowed: true });

function isResource(attrs: AuthorizationAttributes): boolean {
  return attrs.isResourceRequest ?? attrs.resource !== undefined;
}

/** `User "x" cannot list resource "pods" in API group "" in the namespace "default"`, as upstream words it. */
export function forbiddenMessage(user: UserInfo, attrs: AuthorizationAttributes): string {
  const who = `User ${JSON.stringify(user.name)}`;
  if (!isResource(attrs)) return `${who} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource ?? ''}/${attrs.subresource}` : (attrs.resource ?? '');
  const what = `${who} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup ?? '')}`;
  return attrs.namespace ? `${what} in the namespace ${JSON.stringify(attrs.namespace)}` : `${what} at the cluster scope`;
}

/** The 403 Forbidden Status for a refused request, e.g. `pods is forbidden: User "x" cannot list ...`. */
export function forbiddenError(user: UserInfo, attrs: AuthorizationAttributes, reason?: string): StatusError {
  let why = forbiddenMessage(user, attrs);
  if (reason) why = `${why}: ${reason}`;
  const group = isResource(attrs) ? (attrs.apiGroup ?? '') : '';
  const resource = isResource(attrs) ? (attrs.resource ?? '') : '';
  const name = attrs.name ?? '';
  let message: string;
  if (!resource && !group) message = `forbidden: ${why}`;
  else if (!name) message = `${qualifiedResource(group, resource)} is forbidden: ${why}`;
  else message = `${qualifiedResource(group, resource)} ${JSON.stringify(name)} is forbidden: ${why}`;
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (group) details.group = group;
  if (resource) details.kind = resource;
  return statusError(403, 'Forbidden', message, details);
}
