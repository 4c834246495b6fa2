// Who a request comes from, as upstream's user.Info.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const allAuthenticated = 'system:authenticated';
export const allUnauthenticated = 'system:unauthenticated';
export const anonymousUser = 'system:anonymous';
export const systemPrivilegedGroup = 'system:masters';
export const nodesGroup = 'system:nodes';

/** Adds system:authenticated unless the user already carries it (or system:unauthenticated), as upstream's AuthenticatedGroupAdder. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(allAuthenticated) || user.groups.includes(allUnauthenticated)) return user;
  return { ...user, groups: [...user.groups, allAuthenticated] };
}

/** The identity of a request without credentials on a path that allows it. */
export function anonymous(): UserInfo {
  return { name: anonymousUser, groups: [allUnauthenticated] };
}
