// Worklists: overdue case pushes, objections and repairs near or past
// their deadline, disclosures due (T26), and open warnings (T25), new ones
// arriving live over the warnings subscription.
import { gql, GraphQLError, subscribe, refused, currentSession } from './api.js';
import { h, table, errorBox, label, fmt, pct, today, addDays, csvText, download } from './ui.js';

// One request per list, side by side: a caller refused one list (an agency
// has no record:read) still sees the others, and the refused list says
// why.
export const WORKLISTS = {
  pushes: `query OverduePushes {
  overduePushes { id caseId department { name } measures { name } pushedAt dueDate }
}`,
  workflows: `query DueWorkflows {
  filed: objections(filter: {state: FILED}, first: 100) { edges { node { ...objection } } }
  checked: objections(filter: {state: CHECKED}, first: 100) { edges { node { ...objection } } }
  applied: repairs(filter: {state: APPLIED}, first: 100) { edges { node { ...repair } } }
  accepted: repairs(filter: {state: ACCEPTED}, first: 100) { edges { node { ...repair } } }
}
fragment objection on Objection { id state filedAt checkDue decisionDue overdue department { name } record { kind summary } }
fragment repair on Repair { id state appliedAt acceptDue decisionDue overdue department { name } entity { uscc name } }`,
  disclosure: `query DisclosureDue($from: Date!, $to: Date!) {
  disclosureStats(from: $from, to: $to) {
    department { code name } decisions publishedOnTime publishedLate overdue pending onTimeShare
    overdueRecords(first: 20) { id kind decisionNo decisionDate summary disclosure { dueDate workingDaysLate } }
  }
}`,
  warnings: `query OpenWarnings {
  warnings(filter: {state: [OPEN]}, first: 50) { edges { node { id level message uscc raisedAt rule { code description } entity { name } } } }
}`,
};

export const WARNINGS_SUBSCRIPTION = `subscription NewWarnings {
  warnings { id level message uscc raisedAt rule { code description } entity { name } }
}`;

// NEAR is how many days ahead a deadline counts as near.
const NEAR = 3;

export async function render(view) {
  const to = today();
  const from = addDays(to, -90);
  view.append(h('h2', { class: 'page-title' }, '工作清单'));
  const names = Object.keys(WORKLISTS);
  const answers = await Promise.all(names.map((n) => gql(WORKLISTS[n], n === 'disclosure' ? { from, to } : {})));
  const d = {};
  const why = {};
  names.forEach((n, i) => {
    const a = answers[i];
    if (a.data) Object.assign(d, a.data);
    else why[n] = refused(a.errors) ? '当前身份无权查看' : new GraphQLError(a.errors).message;
    if (a.data && a.errors.length) view.append(errorBox(new GraphQLError(a.errors)));
  });
  const grid = h('div', { class: 'worklists' });
  view.append(grid);
  const near = addDays(to, NEAR);
  const dueOf = (x) => x.decisionDue || x.checkDue || x.acceptDue;
  const pick = (...conns) => conns.filter(Boolean).flatMap((c) => c.edges.map((e) => e.node)).filter((x) => x.overdue || (dueOf(x) && dueOf(x) <= near)).sort((a, b) => dueOf(a).localeCompare(dueOf(b)));
  const deadline = (x) => h('span', { class: x.overdue ? 'late' : 'soon' }, `${dueOf(x)}${x.overdue ? '（已逾期）' : '（临近）'}`);

  grid.append(
    warningsTable(d.warnings ? d.warnings.edges.map((e) => e.node) : [], why.warnings),
    table({
      id: 'list-pushes', title: '逾期未反馈的联合惩戒推送', file: 'overdue-pushes.csv',
      columns: [
        { label: '案件', key: 'caseId' }, { label: '部门', value: (p) => p.department.name },
        { label: '应采取措施', value: (p) => p.measures.map((m) => m.name).join('；') },
        { label: '推送时间', value: (p) => p.pushedAt.slice(0, 10) }, { label: '反馈期限', key: 'dueDate' },
      ],
      rows: d.overduePushes || [], empty: why.pushes,
    }),
    table({
      id: 'list-objections', title: `临近或超过期限的异议（${NEAR}日内）`, file: 'objections-due.csv',
      columns: [
        { label: '异议', key: 'id' }, { label: '状态', value: (o) => label('objectionState', o.state) },
        { label: '部门', value: (o) => o.department.name },
        { label: '记录', value: (o) => (o.record ? `${label('recordKind', o.record.kind)}：${o.record.summary}` : '') },
        { label: '期限', value: (o) => dueOf(o) + (o.overdue ? '（已逾期）' : '（临近）'), render: deadline },
      ],
      rows: pick(d.filed, d.checked), empty: why.workflows,
    }),
    table({
      id: 'list-repairs', title: `临近或超过期限的信用修复（${NEAR}日内）`, file: 'repairs-due.csv',
      columns: [
        { label: '修复申请', key: 'id' }, { label: '状态', value: (x) => label('repairState', x.state) },
        { label: '主体', value: (x) => x.entity.name || x.entity.uscc, render: (x) => h('a', { href: '#/entity/' + x.entity.uscc }, fmt(x.entity.name || x.entity.uscc)) },
        { label: '部门', value: (x) => x.department.name },
        { label: '期限', value: (x) => dueOf(x) + (x.overdue ? '（已逾期）' : '（临近）'), render: deadline },
      ],
      rows: pick(d.applied, d.accepted), empty: why.workflows,
    }),
    table({
      id: 'list-disclosure', title: `公示及时性（${from} 至 ${to}）`, file: 'disclosure.csv',
      columns: [
        { label: '部门', value: (x) => x.department.name }, { label: '应公示', key: 'decisions', num: true },
        { label: '按时', key: 'publishedOnTime', num: true }, { label: '逾期公示', key: 'publishedLate', num: true },
        { label: '逾期未公示', key: 'overdue', num: true }, { label: '待公示', key: 'pending', num: true },
        { label: '及时率', value: (x) => pct(x.onTimeShare), num: true },
      ],
      rows: d.disclosureStats || [], empty: why.disclosure,
    }),
    table({
      id: 'list-disclosure-due', title: '逾期未公示的决定', file: 'disclosure-overdue.csv',
      columns: [
        { label: '部门', value: (x) => x.department }, { label: '类别', value: (x) => label('recordKind', x.kind) },
        { label: '文号', key: 'decisionNo' }, { label: '决定日期', key: 'decisionDate' },
        { label: '公示期限', value: (x) => x.disclosure && x.disclosure.dueDate },
        { label: '逾期工作日', value: (x) => x.disclosure && x.disclosure.workingDaysLate, num: true },
        { label: '摘要', key: 'summary' },
      ],
      rows: (d.disclosureStats || []).flatMap((s) => s.overdueRecords.map((rec) => ({ ...rec, department: s.department.name }))), empty: why.disclosure,
    }),
  );

  // New warnings arrive over the subscription and go on top of the list.
  const live = view.querySelector('#warnings-live');
  return subscribe(
    WARNINGS_SUBSCRIPTION, {},
    (data) => {
      const w = data.warnings;
      const tbody = view.querySelector('#list-warnings tbody');
      if (!tbody || view.querySelector(`#list-warnings tr[data-id="${CSS.escape(w.id)}"]`)) return;
      tbody.querySelector('td.empty')?.parentElement.remove();
      const row = warningRow(w);
      row.classList.add('new');
      tbody.prepend(row);
      warningRows.unshift(w);
      view.querySelector('#list-warnings .count').textContent = `${warningRows.length} 条`;
      live.textContent = `实时：收到新预警 ${w.entity ? w.entity.name : w.uscc}`;
    },
    (err) => {
      live.textContent = '实时推送中断：' + err.message;
      live.classList.add('late');
    },
  );
}

let warningRows = [];

const warningColumns = [
  { label: '时间', value: (w) => w.raisedAt.replace('T', ' ').slice(0, 19) },
  { label: '级别', value: (w) => label('warningLevel', w.level) },
  { label: '规则', value: (w) => w.rule.description },
  { label: '主体', value: (w) => (w.entity && w.entity.name) || w.uscc, render: (w) => h('a', { href: '#/entity/' + w.uscc }, (w.entity && w.entity.name) || w.uscc) },
  { label: '内容', key: 'message' },
];

function warningsTable(rows, empty) {
  warningRows = rows.slice();
  const el = table({
    id: 'list-warnings', title: '未处理预警（实时）', file: 'warnings.csv',
    columns: [...warningColumns, { label: '处理', value: () => '' , render: (w) => ackButton(w) }],
    rows: warningRows, empty,
  });
  // The CSV holds the rows on screen now, the live ones included.
  const btn = el.querySelector('button.csv');
  btn.replaceWith(btn.cloneNode(true));
  el.querySelector('button.csv').addEventListener('click', () => {
    download('warnings.csv', csvText(warningColumns, warningRows), 'text/csv;charset=utf-8');
  });
  for (const [i, tr] of [...el.querySelectorAll('tbody tr')].entries()) if (rows[i]) tr.dataset.id = rows[i].id;
  el.querySelector('.card-head').append(h('span', { id: 'warnings-live', class: 'live' }, '实时：已连接订阅'));
  return el;
}

function warningRow(w) {
  return h('tr', { 'data-id': w.id }, warningColumns.map((c) => h('td', {}, c.render ? c.render(w) : fmt(c.value ? c.value(w) : w[c.key]))), h('td', {}, ackButton(w)));
}

// ackButton acknowledges a warning (acknowledgeWarning, warning:handle);
// one idempotency key per warning, so a second click repeats nothing.
// Acknowledging is the credit office's: a department handles only the
// warnings assigned to it, so its role is shown who acknowledges instead.
function ackButton(w) {
  const s = currentSession();
  if (s && s.role === 'department') return h('span', { class: 'muted', 'data-ack-by': 'credit-office' }, '待市信用办确认');
  const key = 'ack-' + w.id + '-' + Math.random().toString(36).slice(2, 10);
  const btn = h('button', { type: 'button', class: 'ack', 'data-ack': w.id }, '确认');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    const r = await gql(`mutation Ack($id: ID!, $key: String!) { acknowledgeWarning(id: $id, idempotencyKey: $key) { id } }`, { id: w.id, key });
    if (r.errors.length || !r.data) {
      btn.disabled = false;
      btn.after(h('div', { class: 'error' }, new GraphQLError(r.errors).message));
      return;
    }
    btn.replaceWith(h('span', { class: 'acked', 'data-acked': w.id }, '已确认'));
  });
  return btn;
}
