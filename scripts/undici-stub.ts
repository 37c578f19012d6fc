/**
 * Stands in for undici in the bundle. @actions/http-client imports undici only for
 * getAgentDispatcher() (a proxy dispatcher for fetch), which pipeline-artifacts never calls: it
 * sends every request through HttpClient's Node agents, proxies included. Bundling undici would
 * add about 400 KB to dist/ and 17 MB to every run's memory for nothing.
 */
export class ProxyAgent {
  constructor() {
    throw new Error(
      "pipeline-artifacts: undici is not bundled (HttpClient.getAgentDispatcher is not supported)",
    );
  }
}
