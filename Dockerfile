# The container image: the component's default `image:`, and the CLI for any script.
# Only the bundle goes in (dist/index.js has no runtime dependencies), on the Node the action declares,
# with the project's licence and the bundled packages' notices.
FROM node:24-alpine
# The release job passes package.json's version: the image's tag and this label agree.
ARG VERSION=dev
LABEL org.opencontainers.image.title="pipeline-artifacts" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /opt/pipeline-artifacts
# .mjs: the bundle is an ES module, and no package.json comes along to say so.
COPY dist/index.js ./pipeline-artifacts.mjs
COPY LICENSE dist/THIRD_PARTY_NOTICES ./
RUN ln -s /opt/pipeline-artifacts/pipeline-artifacts.mjs /usr/local/bin/pipeline-artifacts \
 && chmod 0755 /opt/pipeline-artifacts/pipeline-artifacts.mjs
USER node
# As a job's `image:` directly, clear it (`entrypoint: [""]`) so that GitLab runs the script in a shell.
ENTRYPOINT ["pipeline-artifacts"]
CMD ["--help"]
