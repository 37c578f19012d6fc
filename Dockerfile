# The container image: the component's default `image:`, and the CLI for any script.
# Only the bundle goes in (dist/index.js has no runtime dependencies), on the Node the action declares.
FROM node:24-alpine
WORKDIR /opt/pipeline-artifacts
# .mjs: the bundle is an ES module, and no package.json comes along to say so.
COPY dist/index.js ./pipeline-artifacts.mjs
RUN ln -s /opt/pipeline-artifacts/pipeline-artifacts.mjs /usr/local/bin/pipeline-artifacts \
 && chmod 0755 /opt/pipeline-artifacts/pipeline-artifacts.mjs
USER node
ENTRYPOINT ["pipeline-artifacts"]
CMD ["--help"]
