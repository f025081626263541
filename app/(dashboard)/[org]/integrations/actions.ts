"use server";

import { issueKeyAction } from "@/lib/keys/actions";
import { serverAction } from "@/lib/auth/server-action";

// "Create an ingest key for this": the keys page's action (role checks, zod, audit entry).
export const issueKey = serverAction(issueKeyAction);
