// The contract PDF exactly as it is signed (both parties sign these bytes).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { requirePermission } from '~/modules/auth/session.server';
import { contractBytes, sideOf } from '~/modules/market/orders.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:market');
  const prisma = await getPrisma();
  const order = await prisma.serviceOrder.findUnique({ where: { id: params.id ?? '' } });
  if (!order) throw new Response('订单不存在', { status: 404 });
  const side = await sideOf(prisma, order, user);
  if (!side && !can(user.role, 'read:supervision') && !can(user.role, 'manage:credit-rules')) throw new Response('无权查看该合同', { status: 403 });
  const c = await contractBytes(order.id);
  if (!c) throw new Response('合同尚未生成', { status: 404 });
  return new Response(new Uint8Array(c.bytes), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Length': String(c.bytes.length),
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(`${c.code}-合同.pdf`)}`,
      'X-Content-SHA256': c.sha256,
      'Cache-Control': 'private, no-store',
    },
  });
}
