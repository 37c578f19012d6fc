"""A GitLab client that nobody here wrote (python-gitlab) talks to the simulator.

Run with Debian's /usr/bin/python3 (python3-gitlab installed). Uses only python-gitlab's
public API; a `requests` response hook records every HTTP exchange (redirects included), so
the caller can see which URLs python-gitlab followed and which credentials it sent where.

    /usr/bin/python3 python_gitlab_client.py --url URL --token TOKEN --project 42 \
        --pipeline 500 --per-page 2 --archive 1001:/tmp/a.zip --archive 1004:/tmp/b.zip \
        --bearer-archive 1004:/tmp/c.zip --file 1001:dist/app.js

Prints one JSON object on stdout. Failures of single downloads are reported in the JSON
(with the HTTP status python-gitlab saw), not raised, so every step is always reported.
"""

import argparse
import base64
import hashlib
import json
import sys
import warnings
from urllib.parse import urlsplit

import gitlab
import requests

CREDENTIAL_HEADERS = ("PRIVATE-TOKEN", "JOB-TOKEN", "Authorization")


def job_and_value(text):
    job, sep, value = text.partition(":")
    if not sep or not job.isdigit() or not value:
        raise argparse.ArgumentTypeError(f"expected JOB_ID:VALUE, got {text!r}")
    return int(job), value


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="GitLab URL (not the API root)")
    parser.add_argument("--token", required=True, help="personal access token")
    parser.add_argument("--project", required=True, help="project id or path")
    parser.add_argument("--pipeline", required=True, type=int)
    parser.add_argument("--per-page", type=int, default=2)
    parser.add_argument(
        "--archive",
        action="append",
        default=[],
        type=job_and_value,
        metavar="JOB:FILE",
        help="download the job's whole archive to FILE",
    )
    parser.add_argument(
        "--bearer-archive",
        action="append",
        default=[],
        type=job_and_value,
        metavar="JOB:FILE",
        help="the same, with the token sent as an OAuth-style Authorization: Bearer header",
    )
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        type=job_and_value,
        metavar="JOB:PATH",
        help="download one file of the job's archive",
    )
    return parser.parse_args(argv)


class Recorder:
    """A requests response hook: one record per HTTP response, redirects included."""

    def __init__(self):
        self.exchanges = []

    def __call__(self, response, *args, **kwargs):
        request = response.request
        url = urlsplit(request.url)
        self.exchanges.append(
            {
                "method": request.method,
                "origin": f"{url.scheme}://{url.netloc}",
                "path": url.path,
                "query": url.query,
                "status": response.status_code,
                "location": response.headers.get("Location"),
                # Names only: which credentials went with the request, never their values.
                "credentials": [h for h in CREDENTIAL_HEADERS if h in request.headers],
            }
        )
        return response

    def since(self, mark):
        return self.exchanges[mark:]


def error_of(exc):
    return {
        "type": type(exc).__name__,
        "response_code": getattr(exc, "response_code", None),
        "message": str(getattr(exc, "error_message", exc)),
    }


def list_jobs(pipeline, per_page, recorder, **filters):
    mark = len(recorder.exchanges)
    listing = pipeline.jobs.list(per_page=per_page, iterator=True, **filters)
    jobs = []
    pages = []
    for job in listing:
        # GitlabList exposes the X-* headers of the page the current item came from.
        if not pages or pages[-1]["page"] != listing.current_page:
            pages.append(
                {
                    "page": listing.current_page,
                    "next_page": listing.next_page,
                    "per_page": listing.per_page,
                    "total": listing.total,
                    "total_pages": listing.total_pages,
                }
            )
        jobs.append({"id": job.id, "name": job.name, "status": job.status})
    return {"jobs": jobs, "pages": pages, "requests": recorder.since(mark)}


def download_archive(project, job_id, target, recorder):
    mark = len(recorder.exchanges)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "wb") as out:

            def action(chunk):
                nonlocal size
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)

            project.jobs.get(job_id, lazy=True).artifacts(streamed=True, action=action)
    except gitlab.exceptions.GitlabError as exc:
        return {"job": job_id, "ok": False, "error": error_of(exc), "requests": recorder.since(mark)}
    return {
        "job": job_id,
        "ok": True,
        "file": target,
        "size": size,
        "sha256": digest.hexdigest(),
        "requests": recorder.since(mark),
    }


def download_file(project, job_id, path, recorder):
    mark = len(recorder.exchanges)
    try:
        data = project.jobs.get(job_id, lazy=True).artifact(path)
    except gitlab.exceptions.GitlabError as exc:
        return {
            "job": job_id,
            "path": path,
            "ok": False,
            "error": error_of(exc),
            "requests": recorder.since(mark),
        }
    return {
        "job": job_id,
        "path": path,
        "ok": True,
        "base64": base64.b64encode(data).decode("ascii"),
        "requests": recorder.since(mark),
    }


def main(argv):
    args = parse_args(argv)
    recorder = Recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gl = gitlab.Gitlab(args.url, private_token=args.token)
        gl.session.hooks["response"].append(recorder)
        # python-gitlab sends oauth_token as `Authorization: Bearer`, which GitLab also
        # accepts for personal access tokens.
        bearer = gitlab.Gitlab(args.url, oauth_token=args.token)
        bearer.session.hooks["response"].append(recorder)
        project = gl.projects.get(args.project, lazy=True)
        pipeline = project.pipelines.get(args.pipeline)
        result = {
            "versions": {"python_gitlab": gitlab.__version__, "requests": requests.__version__},
            "pipeline": {"id": pipeline.id, "status": pipeline.status},
            "listings": {
                "default": list_jobs(pipeline, args.per_page, recorder),
                "include_retried": list_jobs(
                    pipeline, args.per_page, recorder, include_retried=True
                ),
            },
            "archives": [
                download_archive(project, job, target, recorder) for job, target in args.archive
            ],
            "bearer_archives": [
                download_archive(
                    bearer.projects.get(args.project, lazy=True), job, target, recorder
                )
                for job, target in args.bearer_archive
            ],
            "files": [download_file(project, job, path, recorder) for job, path in args.file],
        }
    # Every HTTP response python-gitlab received, to both origins (redirects included).
    result["request_count"] = len(recorder.exchanges)
    # python-gitlab warns, e.g., when a Link URL's base differs from the configured URL.
    result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
