// The other seed products: /deployments (001), /doa (002), /fama (003), /marketplace (004).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, silent, disconnected, token, api } from './helpers.js';

let server;
before(async () => { server = await startServer(); });
after(() => server.stop());

describe('deployments (001)', () => {
  afterEach(closeAll);

  it('requires a valid token at CONNECT', async () => {
    await assert.rejects(connect(server, '/deployments'), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/deployments', { token: token('john', -5) }), /TOKEN_EXPIRED/);
  });

  it('subscribe gives the status, then logs and status changes; unsubscribe stops them', async () => {
    const s = await connect(server, '/deployments', { token: token('john') });
    s.emit('deployment:subscribe', 'dep-100');
    assert.deepEqual(
      (({ deploymentId, status }) => ({ deploymentId, status }))(await next(s, 'deployment:status')),
      { deploymentId: 'dep-100', status: 'running' },
    );
    const r = await api(server, 'POST', '/admin/api/deployments/dep-100/log', { log: 'Step 1/5: FROM node:20' });
    assert.equal(r.status, 202);
    assert.equal((await next(s, 'deployment:log')).log, 'Step 1/5: FROM node:20');
    await api(server, 'POST', '/admin/api/deployments/dep-100/status', { status: 'deployed' });
    assert.equal((await next(s, 'deployment:status')).status, 'deployed');
    const ack = await s.timeout(2000).emitWithAck('deployment:unsubscribe', 'dep-100');
    assert.equal(ack.success, true);
    await api(server, 'POST', '/admin/api/deployments/dep-100/log', { log: 'after' });
    assert.ok(await silent(s, 'deployment:log', 300));
  });

  it("refuses someone else's or unknown deployments and bad ids", async () => {
    const s = await connect(server, '/deployments', { token: token('john') });
    const acked = await s.timeout(2000).emitWithAck('deployment:subscribe', 'dep-200');
    assert.deepEqual([acked.success, acked.code], [false, 'FORBIDDEN']);
    assert.equal((await next(s, 'error')).code, 'FORBIDDEN');
    s.emit('deployment:subscribe', 'dep-999');
    assert.equal((await next(s, 'error')).code, 'NOT_FOUND');
    for (const bad of [{}, '', 'a b', 3.5, ['dep-100']]) {
      s.emit('deployment:subscribe', bad);
      assert.equal((await next(s, 'error')).code, 'INVALID_PAYLOAD');
    }
    const admin = await connect(server, '/deployments', { token: token('admin') });
    admin.emit('deployment:subscribe', 'dep-200');
    assert.equal((await next(admin, 'deployment:status')).deploymentId, 'dep-200');
    assert.equal((await api(server, 'POST', '/admin/api/deployments/dep-999/log', { log: 'x' })).status, 404);
  });

  it('broadcasts user:online and user:offline', async () => {
    const watcher = await connect(server, '/deployments', { token: token('admin') });
    const s = await connect(server, '/deployments', { token: token('carol') });
    // Matched on the user: the server may still be announcing that an
    // earlier test's sockets went offline.
    const carol = (p) => p?.userId === 'user_13579';
    assert.deepEqual(await next(watcher, 'user:online', 3000, carol), { userId: 'user_13579', status: 'online' });
    s.close();
    assert.deepEqual(await next(watcher, 'user:offline', 3000, carol), { userId: 'user_13579', status: 'offline' });
  });
});

describe('doa (002)', () => {
  afterEach(closeAll);

  it('new_message reaches the agent, admins and the conversation room', async () => {
    await assert.rejects(connect(server, '/doa'), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/doa', { token: token('carol') }), /INVALID_TOKEN: User not found/);
    const agent = await connect(server, '/doa', { token: token('agent') });
    const admin = await connect(server, '/doa', { token: token('doaAdmin') });
    const other = await connect(server, '/doa', { token: token('alice') });
    const r = await api(server, 'POST', '/admin/api/doa/messages', {
      conversationId: 123, customerName: 'Ahmet Yılmaz', customerPhone: '+905551234567', messageContent: 'Merhaba, sipariş durumu nedir?',
    });
    assert.equal(r.status, 202);
    const m = await next(agent, 'new_message');
    assert.equal(m.customerName, 'Ahmet Yılmaz');
    assert.equal(m.direction, 'INBOUND');
    assert.equal(m.isRead, false);
    assert.equal(m.userId, 42);
    assert.equal((await next(admin, 'new_message')).id, m.id);
    assert.ok(await silent(other, 'new_message', 200));
    assert.equal((await api(server, 'POST', '/admin/api/doa/messages', { conversationId: 999, customerName: 'a', customerPhone: '1', messageContent: 'x' })).status, 404);
    assert.equal((await api(server, 'POST', '/admin/api/doa/messages', { conversationId: 'x' })).status, 400);
  });

  it('join_conversation is limited to the agent and admins; typing and mark_read are relayed', async () => {
    const agent = await connect(server, '/doa', { token: token('agent') });
    const admin = await connect(server, '/doa', { token: token('doaAdmin') });
    const carol = await connect(server, '/doa', { token: token('alice') });
    assert.equal((await agent.timeout(2000).emitWithAck('join_conversation', 123)).success, true);
    assert.equal((await admin.timeout(2000).emitWithAck('join_conversation', '123')).success, true);
    carol.emit('join_conversation', 123);
    assert.equal((await next(carol, 'error')).code, 'FORBIDDEN');
    carol.emit('join_conversation', 'abc');
    assert.equal((await next(carol, 'error')).code, 'INVALID_PAYLOAD');
    agent.emit('typing', { conversationId: 123, isTyping: true });
    assert.deepEqual(await next(admin, 'user_typing'), { userId: 42, conversationId: 123, isTyping: true });
    // Throttled: a second "typing" within 500 ms is dropped, a "stopped" is not.
    agent.emit('typing', { conversationId: 123, isTyping: true });
    agent.emit('typing', { conversationId: 123, isTyping: false });
    assert.equal((await next(admin, 'user_typing')).isTyping, false);
    assert.ok(await silent(agent, 'user_typing', 200));
    agent.emit('typing', { conversationId: 123 });
    assert.equal((await next(agent, 'error')).code, 'INVALID_PAYLOAD');
    admin.emit('mark_read', { messageId: 'msg_123' });
    const read = await next(agent, 'message_read');
    assert.equal(read.messageId, 'msg_123');
    assert.equal(read.readBy, 1);
    assert.ok(read.readAt);
    carol.emit('mark_read', { messageId: 'msg_123' });
    assert.equal((await next(carol, 'error')).code, 'FORBIDDEN');
    assert.equal((await agent.timeout(2000).emitWithAck('leave_conversation', 123)).success, true);
    admin.emit('typing', { conversationId: 123, isTyping: true });
    assert.ok(await silent(agent, 'user_typing', 300));
  });
});

describe('fama (003)', () => {
  afterEach(closeAll);

  it('accepts a raw or Bearer token and emits connected', async () => {
    for (const t of [token('alice'), `Bearer ${token('alice')}`]) {
      const s = await connect(server, '/fama', { token: t });
      assert.deepEqual(await next(s, 'connected'), {
        message: 'Successfully connected',
        user: { user_id: 5, username: 'alice' },
      });
    }
  });

  it('an expired token gets error "Token expired" and a disconnect', async () => {
    const s = await connect(server, '/fama', { token: `Bearer ${token('alice', -10)}` });
    const gone = disconnected(s);
    const e = await next(s, 'error');
    assert.ok(e.message.includes('Token expired'), e.message);
    assert.equal(await gone, 'io server disconnect');
  });

  it('a missing or forged token gets an error and a disconnect', async () => {
    for (const auth of [undefined, { token: 'Bearer nope' }, { token: token('john') }]) {
      const s = await connect(server, '/fama', auth);
      const gone = disconnected(s);
      assert.match((await next(s, 'error')).message, /^Authentication failed: /);
      await gone;
    }
  });
});

describe('marketplace (004)', () => {
  afterEach(closeAll);
  const ack = (s, ev, data) => s.timeout(2000).emitWithAck(ev, data);

  it('only the client, the performer and admins join an order chat', async () => {
    await assert.rejects(connect(server, '/marketplace'), /INVALID_TOKEN/);
    for (const who of ['john', 'carol', 'admin']) {
      const s = await connect(server, '/marketplace', { token: token(who) });
      assert.equal((await ack(s, 'join_order_chat', { orderId: 'order-1' })).success, true, who);
    }
    for (const who of ['alice', 'mod']) {
      const s = await connect(server, '/marketplace', { token: token(who) });
      const r = await ack(s, 'join_order_chat', { orderId: 'order-1' });
      assert.deepEqual([r.success, r.code], [false, 'FORBIDDEN'], who);
      assert.equal((await next(s, 'error')).code, 'FORBIDDEN');
    }
    const s = await connect(server, '/marketplace', { token: token('john') });
    assert.equal((await ack(s, 'join_order_chat', { orderId: 'order-404' })).code, 'NOT_FOUND');
    assert.equal((await next(s, 'error')).code, 'NOT_FOUND');
    s.emit('join_order_chat', 'order-1');
    assert.equal((await next(s, 'error')).code, 'INVALID_PAYLOAD');
  });

  it('moderators, admins and the parties join dispute chats; others cannot', async () => {
    for (const who of ['mod', 'admin', 'john', 'carol']) {
      const s = await connect(server, '/marketplace', { token: token(who) });
      assert.equal((await ack(s, 'join_dispute_chat', { disputeId: 'dispute-1' })).success, true, who);
    }
    const s = await connect(server, '/marketplace', { token: token('alice') });
    assert.equal((await ack(s, 'join_dispute_chat', { disputeId: 'dispute-1' })).code, 'FORBIDDEN');
  });

  it('order messages with attachments, typing and status updates reach the chat', async () => {
    const client = await connect(server, '/marketplace', { token: token('john') });
    const performer = await connect(server, '/marketplace', { token: token('carol') });
    const outsider = await connect(server, '/marketplace', { token: token('alice') });
    await ack(client, 'join_order_chat', { orderId: 'order-1' });
    await ack(performer, 'join_order_chat', { orderId: 'order-1' });
    const sent = await ack(client, 'order_message', {
      orderId: 'order-1', content: 'message text', attachments: [{ fileUrl: 'https://files.example/a.pdf', fileName: 'a.pdf' }],
    });
    assert.equal(sent.success, true);
    const m = await next(performer, 'order_message');
    assert.equal(m.content, 'message text');
    assert.equal(m.senderId, 'user_12345');
    assert.deepEqual(m.attachments, [{ fileUrl: 'https://files.example/a.pdf', fileName: 'a.pdf' }]);
    assert.equal((await next(client, 'order_message')).id, m.id);
    assert.ok(await silent(outsider, 'order_message', 200));
    client.emit('order_typing', { orderId: 'order-1', isTyping: true });
    assert.deepEqual(await next(performer, 'order_typing'), { userId: 'user_12345', orderId: 'order-1', isTyping: true });
    await api(server, 'POST', '/admin/api/orders/order-1/status', { status: 'completed' });
    assert.deepEqual(
      (({ orderId, status }) => ({ orderId, status }))(await next(performer, 'order_status_update')),
      { orderId: 'order-1', status: 'completed' },
    );
    await ack(client, 'leave_order_chat', { orderId: 'order-1' });
    const refused = await ack(client, 'order_message', { orderId: 'order-1', content: 'hi' });
    assert.deepEqual([refused.success, refused.code], [false, 'NOT_IN_CHAT']);
    assert.equal((await next(client, 'error')).code, 'NOT_IN_CHAT');
  });

  it('invalid order messages are refused', async () => {
    const s = await connect(server, '/marketplace', { token: token('john') });
    await ack(s, 'join_order_chat', { orderId: 'order-1' });
    const bad = [
      { orderId: 'order-1', content: '' },
      { orderId: 'order-1', content: 'x'.repeat(5001) },
      { orderId: 'order-1' },
      { orderId: 'order-1', content: 'ok', attachments: [{ fileUrl: '' }] },
      { orderId: 'order-1', content: 'ok', attachments: Array(11).fill({ fileUrl: 'u', fileName: 'n' }) },
      'text',
    ];
    for (const b of bad) {
      s.emit('order_message', b);
      assert.equal((await next(s, 'error')).code, 'INVALID_PAYLOAD', JSON.stringify(b).slice(0, 80));
    }
  });

  it('dispute messages, typing, status updates, notifications and presence', async () => {
    const mod = await connect(server, '/marketplace', { token: token('mod') });
    const client = await connect(server, '/marketplace', { token: token('john') });
    // Matched on the state: an earlier test's john may still be going offline.
    const online = (p) => p?.isOnline === true;
    assert.deepEqual(await next(mod, 'user_presence', 3000, online), { userId: 'user_12345', isOnline: true });
    await ack(mod, 'join_dispute_chat', { disputeId: 'dispute-1' });
    await ack(client, 'join_dispute_chat', { disputeId: 'dispute-1' });
    await ack(mod, 'dispute_message', { disputeId: 'dispute-1', content: 'Please upload proof' });
    const m = await next(client, 'dispute_message');
    assert.deepEqual([m.disputeId, m.senderId, m.content], ['dispute-1', 'user_24680', 'Please upload proof']);
    client.emit('dispute_typing', { disputeId: 'dispute-1', isTyping: true });
    assert.deepEqual(await next(mod, 'dispute_typing'), { userId: 'user_12345', disputeId: 'dispute-1', isTyping: true });
    await api(server, 'POST', '/admin/api/disputes/dispute-1/status', { status: 'resolved' });
    assert.equal((await next(client, 'dispute_status_update')).status, 'resolved');
    await api(server, 'POST', '/admin/api/marketplace/notifications', { userId: 'user_12345', content: 'New message in order-1' });
    assert.equal((await next(client, 'notification')).content, 'New message in order-1');
    assert.ok(await silent(mod, 'notification', 200));
    client.close();
    assert.deepEqual(await next(mod, 'user_presence'), { userId: 'user_12345', isOnline: false });
    mod.emit('dispute_message', { disputeId: 'dispute-1', content: '' });
    assert.equal((await next(mod, 'error')).code, 'INVALID_PAYLOAD');
  });
});

describe('presence and FAMA auth (issue 21, items 6 and 8)', () => {
  afterEach(closeAll);

  it('user:online / user:offline reach admins, never other customers', async () => {
    const admin = await connect(server, '/deployments', { token: token('admin') });
    const other = await connect(server, '/deployments', { token: token('john') });
    const carol = (p) => p?.userId === 'user_13579';
    const s = await connect(server, '/deployments', { token: token('carol') });
    await next(admin, 'user:online', 3000, carol);
    s.close();
    await next(admin, 'user:offline', 3000, carol);
    assert.ok(await silent(other, 'user:online', 300));
    assert.ok(await silent(other, 'user:offline', 10));
  });

  it('user_presence reaches the other party of an order and staff, not strangers', async () => {
    // order-1: john (client) and carol (performer); alice has no order with john.
    const carol = await connect(server, '/marketplace', { token: token('carol') });
    const alice = await connect(server, '/marketplace', { token: token('alice') });
    const john = await connect(server, '/marketplace', { token: token('john') });
    const isJohn = (p) => p?.userId === 'user_12345' && p.isOnline;
    assert.deepEqual(await next(carol, 'user_presence', 3000, isJohn), { userId: 'user_12345', isOnline: true });
    assert.ok(await silent(alice, 'user_presence', 300));
    john.close();
  });

  it('FAMA: the Bearer scheme in any case; `Bearer Bearer` refused', async () => {
    for (const t of [`bearer ${token('alice')}`, `BEARER ${token('alice')}`]) {
      const s = await connect(server, '/fama', { token: t });
      assert.equal((await next(s, 'connected')).user.user_id, 5);
    }
    const s = await connect(server, '/fama', { token: `Bearer Bearer ${token('alice')}` });
    assert.match((await next(s, 'error')).message, /^Authentication failed: /);
  });

  it('FAMA: a token expiring mid-session gets error {message: "Token expired"}, not auth_error', async () => {
    const s = await connect(server, '/fama', { token: token('alice', 2) });
    await next(s, 'connected');
    const gone = disconnected(s, 5000);
    assert.deepEqual(await next(s, 'error', 4000), { message: 'Token expired' });
    assert.equal(await gone, 'io server disconnect');
    assert.ok(!s.buffered.some(([e]) => e === 'auth_error'));
  });
});
