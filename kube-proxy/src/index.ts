// @k8ts/kube-proxy: the iptables proxier's pieces, for tests and other tools.
export { buildRuleset, probability, type Ruleset, type RulesetOptions } from './ruleset.ts';
export { servicePorts, endpointsByServicePort, categorizeEndpoints, type ServicePortInfo, type EndpointInfo } from './model.ts';
export { portProtoHash, serviceChain, serviceExternalChain, serviceLocalChain, endpointChain, isServiceChainName } from './chains.ts';
export { jumpRules, cleanupRuleset, chainsFromSave, type JumpRule, type Table } from './jumps.ts';
export { Iptables, IptablesError, exec } from './iptables.ts';
export { Proxier, ProxyLabelSelector, type ProxierOptions } from './proxier.ts';
export { BoundedFrequencyRunner } from './runner.ts';
export { parseDuration } from './duration.ts';
