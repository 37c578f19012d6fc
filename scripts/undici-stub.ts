/**
 * Stands in for undici in the bundle. @actions/http-client imports undici only for
 * getAgentDispatcher() (a proxy dispatcher for fetch), which pipeline-artifacts never calls: it
 * sends every request through HttpClient's Node agents, proxies included. Bundling undici would
 * add about 790 KB to dist/ and 7 MB to the memory of every run for nothing (measured: 990 KB
 * against 200 KB; peak RSS of `--help` 55.5 MB against 48.3 MB, Node 20).
 */
export class ProxyAgent {
  constructor() {
    throw new Error(
      "pipeline-artifacts: undici is not bundled (HttpClient.getAgentDispatcher is not supported)",
    );
  }
}
