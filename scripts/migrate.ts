// npm run db:migrate: apply prisma/migrations to DATABASE_URL (or the embedded dev database).
import { prepareDatabase } from "../lib/db/bootstrap";

const db = await prepareDatabase();
await db.stop();
