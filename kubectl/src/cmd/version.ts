// kubectl version: the client's version and the server's /version.
import type { Factory } from '../factory.ts';
import { toYaml } from '../printers/yaml.ts';
import { toJson } from '../printers/json.ts';
import { StatusError } from '@k8ts/api/status.ts';

export const clientVersion = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-k8ts', gitCommit: 'k8ts', gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'k8ts', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export async function runVersion(f: Factory, o: { client?: boolean; output?: string }): Promise<void> {
  let server: Record<string, string> | undefined;
  let serverErr: unknown;
  if (!o.client) {
    try { server = await f.rest().request<Record<string, string>>({ path: '/version', query: { timeout: '32s' } }); } catch (e) { serverErr = e; }
  }
  if (o.output === 'yaml' || o.output === 'json') {
    const doc: Record<string, unknown> = { clientVersion };
    if (server) doc.serverVersion = server;
    f.io.out(o.output === 'yaml' ? toYaml(doc) : toJson(doc).replace(/\n$/, '') + '\n');
  } else if (o.output) {
    throw new Error(`--output must be 'yaml' or 'json'`);
  } else {
    f.io.out(`Client Version: ${clientVersion.gitVersion}\n`);
    if (server) f.io.out(`Server Version: ${server.gitVersion}\n`);
  }
  if (serverErr) {
    if (serverErr instanceof StatusError) throw serverErr;
    throw serverErr;
  }
}
