"""The python-gitlab peer: find a job by name in a pipeline, stream its archive to a file, extract it.

What a user of python-gitlab writes (Debian's python3-gitlab, run with /usr/bin/python3):
list the pipeline's jobs, take the newest of that name, `artifacts(streamed=True, action=...)`
into a file (python-gitlab's default chunk size), then `zipfile.ZipFile(...).extractall()`.

    /usr/bin/python3 python_gitlab_download.py --url URL --token TOKEN --project 1 \
        --pipeline 10 --job build --out out
"""

import argparse
import sys
import zipfile

import gitlab


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="GitLab URL (not the API root)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--pipeline", required=True, type=int)
    parser.add_argument("--job", required=True, help="job name")
    parser.add_argument("--out", required=True, help="destination folder")
    args = parser.parse_args(argv)

    gl = gitlab.Gitlab(args.url, private_token=args.token)
    project = gl.projects.get(args.project, lazy=True)
    pipeline = project.pipelines.get(args.pipeline, lazy=True)
    matching = [j for j in pipeline.jobs.list(iterator=True, per_page=100) if j.name == args.job]
    if not matching:
        sys.exit(f"no job named {args.job!r} in pipeline {args.pipeline}")
    job = project.jobs.get(max(j.id for j in matching), lazy=True)
    with open("artifacts.zip", "wb") as archive:
        job.artifacts(streamed=True, action=archive.write)
    with zipfile.ZipFile("artifacts.zip") as archive:
        archive.extractall(args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
