/** One command per mode. The mapped type makes the compiler refuse a mode without a command. */
import type { Mode } from "../options.ts";
import { deleteArtifacts } from "./delete.ts";
import { deleteProject } from "./delete-project.ts";
import { download } from "./download.ts";
import { keep } from "./keep.ts";
import { list } from "./list.ts";
import { url } from "./url.ts";
import type { Command } from "./session.ts";

export const COMMANDS: { [M in Mode]: Command<M> } = {
  download,
  url,
  list,
  keep,
  delete: deleteArtifacts,
  "delete-project": deleteProject,
};
