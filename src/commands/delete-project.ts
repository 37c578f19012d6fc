/** delete-project: GitLab deletes the artifacts of every job in the project, in the background. */
import { type Command, resultOf } from "./session.ts";

export const deleteProject: Command<"delete-project"> = async (options, session) => {
  const note = options.dryRun
    ? `Would ask GitLab to delete the artifacts of every job in project ${options.project} (the newest successful pipeline of each ref is kept).`
    : `GitLab accepted deleting the artifacts of project ${options.project} (${await session.api.deleteProjectArtifacts()}); it deletes them in the background and keeps the newest successful pipeline of each ref.`;
  session.log.info(note);
  return resultOf(options, [], [], { note });
};
