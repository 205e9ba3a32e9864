import { getDatabase } from '~/db/index.server';

export async function loader() {
  const db = await getDatabase();
  await db.sql.query('SELECT 1');
  return Response.json({ ok: true, database: db.kind });
}
