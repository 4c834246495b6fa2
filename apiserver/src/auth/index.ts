// Authentication and authorization for the API server.
export type { UserInfo } from './user.ts';
export { allAuthenticated, allUnauthenticated, anonymous, anonymousUser, nodesGroup, systemPrivilegedGroup, withAuthenticatedGroup } from './user.ts';
export type { ParsedTokenFile, TokenTable } from './tokenfile.ts';
export { loadTokenFile, parseTokenFile, TokenFileError } from './tokenfile.ts';
export type { AuthenticationOptions, AuthenticationRequest, AuthenticationResult } from './authenticate.ts';
export { authenticate, authenticateRequest, bearerToken } from './authenticate.ts';
export type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from './authorize.ts';
export { authorize, forbiddenError, forbiddenMessage } from './authorize.ts';
export type { RequestAttributes } from './requestinfo.ts';
export { requestAttributes } from './requestinfo.ts';
export { isAnonymousPath } from './paths.ts';
export type { AuthPluginOptions } from './plugin.ts';
export { authPlugin } from './plugin.ts';
