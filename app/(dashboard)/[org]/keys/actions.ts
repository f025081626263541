"use server";

import { issueKeyAction, revokeKeyAction, rotateKeyAction } from "@/lib/keys/actions";
import { serverAction } from "@/lib/auth/server-action";

export const issueKey = serverAction(issueKeyAction);
export const revokeKey = serverAction(revokeKeyAction);
export const rotateKey = serverAction(rotateKeyAction);
