// menu.js - the areas of the left menu and their pages. An area is listed
// only when it has pages; a page only when the user's role may use it.
// Every area of DESIGN.md §8 has pages now; what a page does not do yet
// it says itself (README, docs/). Pages with `hidden`
// (details reached from a list) get a route but no menu item.
export const areas = [
  {
    // the landing page: the first page of the first area (router.js)
    key: 'home',
    title: '工作台',
    pages: [
      {
        path: '/workbench',
        name: 'workbench',
        title: '工作台',
        perm: 'read',
        component: () => import('./views/qual/WorkbenchView.vue'),
      },
    ],
  },
  {
    key: 'enterprises',
    title: '企业库',
    pages: [
      {
        path: '/enterprises',
        name: 'enterprises',
        title: '企业名录',
        perm: 'read',
        component: () => import('./views/enterprises/EnterpriseList.vue'),
      },
      {
        path: '/enterprises/:id(\\d+)',
        name: 'enterprise',
        title: '企业详情',
        perm: 'read',
        hidden: true,
        component: () => import('./views/enterprises/EnterpriseDetail.vue'),
      },
      {
        path: '/enterprises/diagnosis',
        name: 'diagnosis',
        title: '诊断书',
        perm: 'read',
        hidden: true,
        component: () => import('./views/enterprises/DiagnosisView.vue'),
      },
    ],
  },
  {
    key: 'ladder',
    title: '梯度培育',
    pages: [
      {
        path: '/ladder/screening',
        name: 'screening',
        title: '全区筛查',
        perm: 'read',
        component: () => import('./views/ladder/ScreeningView.vue'),
      },
      {
        path: '/ladder/decisions',
        name: 'decisions',
        title: '达标名单',
        perm: 'read',
        component: () => import('./views/ladder/DecisionsView.vue'),
      },
      {
        path: '/ladder/qualifications',
        name: 'qualifications',
        title: '资质登记',
        perm: 'read',
        component: () => import('./views/qual/QualList.vue'),
      },
      {
        path: '/ladder/calendar',
        name: 'calendar',
        title: '到期提醒',
        perm: 'read',
        component: () => import('./views/qual/CalendarView.vue'),
      },
      {
        path: '/pipeline/batches',
        name: 'pipeline-batches',
        title: '培育批次',
        perm: 'read',
        component: () => import('./views/pipeline/BatchesView.vue'),
      },
      {
        path: '/pipeline/batches/:id(\\d+)',
        name: 'pipeline-board',
        title: '批次看板',
        perm: 'read',
        hidden: true,
        component: () => import('./views/pipeline/BoardView.vue'),
      },
      {
        path: '/pipeline/tasks',
        name: 'pipeline-tasks',
        title: '培育任务',
        perm: 'read',
        component: () => import('./views/pipeline/TasksView.vue'),
      },
      {
        path: '/service/logs',
        name: 'service',
        title: '服务记录',
        perm: 'read',
        component: () => import('./views/pipeline/ServiceView.vue'),
      },
      {
        path: '/service/asks',
        name: 'service-asks',
        title: '企业诉求',
        perm: 'read',
        component: () => import('./views/pipeline/AsksView.vue'),
      },
      {
        path: '/ladder/sandbox',
        name: 'sandbox',
        title: '政策沙盘',
        perm: 'manage',
        component: () => import('./views/ladder/SandboxView.vue'),
      },
      {
        path: '/ladder/rulesets',
        name: 'rulesets',
        title: '规则集',
        perm: 'read',
        component: () => import('./views/ladder/RulesetsView.vue'),
      },
    ],
  },
  {
    key: 'policy',
    title: '政策',
    pages: [
      {
        path: '/policy/pool',
        name: 'policy-pool',
        title: '政策池',
        perm: 'read',
        component: () => import('./views/policy/PoolView.vue'),
      },
      {
        path: '/policy/applications',
        name: 'policy-applications',
        title: '申请与公示',
        perm: 'read',
        component: () => import('./views/policy/ApplicationsView.vue'),
      },
      {
        path: '/policy/payments',
        name: 'policy-payments',
        title: '公示与拨付',
        perm: 'read',
        component: () => import('./views/policy/PaymentsView.vue'),
      },
      {
        path: '/policy/sandbox',
        name: 'policy-sandbox',
        title: '预算沙盘',
        perm: 'manage',
        component: () => import('./views/policy/SandboxView.vue'),
      },
    ],
  },
  {
    key: 'plan',
    title: '目标任务',
    pages: [
      {
        path: '/plans',
        name: 'plans',
        title: '行动计划',
        perm: 'read',
        component: () => import('./views/plan/PlanList.vue'),
      },
      {
        path: '/plans/:id(\\d+)',
        name: 'plan',
        title: '计划驾驶舱',
        perm: 'read',
        hidden: true,
        component: () => import('./views/plan/PlanView.vue'),
      },
    ],
  },
  {
    key: 'market',
    title: '技术合同',
    pages: [
      {
        path: '/contracts',
        name: 'contracts',
        title: '合同登记',
        perm: 'read',
        component: () => import('./views/market/ContractList.vue'),
      },
      {
        path: '/contracts/:id(\\d+)',
        name: 'contract',
        title: '合同详情',
        perm: 'read',
        hidden: true,
        component: () => import('./views/market/ContractDetail.vue'),
      },
      {
        path: '/contract-stats',
        name: 'contract-stats',
        title: '统计分析',
        perm: 'read',
        component: () => import('./views/market/ContractStats.vue'),
      },
    ],
  },
  {
    key: 'transfer',
    title: '成果转化',
    pages: [
      {
        path: '/transfer/items',
        name: 'pool',
        title: '资源库',
        perm: 'read',
        component: () => import('./views/market/PoolList.vue'),
      },
      {
        path: '/transfer/items/:id(\\d+)',
        name: 'pool-item',
        title: '资源库记录',
        perm: 'read',
        hidden: true,
        component: () => import('./views/market/PoolDetail.vue'),
      },
      {
        path: '/transfer/challenges',
        name: 'challenges',
        title: '揭榜挂帅',
        perm: 'read',
        component: () => import('./views/market/ChallengeBoard.vue'),
      },
      {
        path: '/transfer/challenges/:id(\\d+)',
        name: 'challenge',
        title: '榜单详情',
        perm: 'read',
        hidden: true,
        component: () => import('./views/market/ChallengeDetail.vue'),
      },
      {
        path: '/transfer/events',
        name: 'market-events',
        title: '成果对接会',
        perm: 'read',
        component: () => import('./views/market/EventList.vue'),
      },
      {
        path: '/transfer/events/:id(\\d+)',
        name: 'market-event',
        title: '对接会详情',
        perm: 'read',
        hidden: true,
        component: () => import('./views/market/EventDetail.vue'),
      },
      {
        path: '/transfer/resource-uses',
        name: 'resource-uses',
        title: '资源共享记录',
        perm: 'read',
        component: () => import('./views/market/ShareList.vue'),
      },
    ],
  },
  {
    key: 'carrier',
    title: '载体',
    pages: [
      {
        path: '/carriers',
        name: 'carriers',
        title: '载体名录',
        perm: 'read',
        component: () => import('./views/carrier/CarrierList.vue'),
      },
      {
        path: '/carriers/:id(\\d+)',
        name: 'carrier',
        title: '载体详情',
        perm: 'read',
        hidden: true,
        component: () => import('./views/carrier/CarrierDetail.vue'),
      },
      {
        path: '/carrier-ranking',
        name: 'carrier-ranking',
        title: '载体评价排名',
        perm: 'read',
        component: () => import('./views/carrier/CarrierRanking.vue'),
      },
      {
        path: '/platforms',
        name: 'platforms',
        title: '创新平台',
        perm: 'read',
        component: () => import('./views/carrier/PlatformList.vue'),
      },
      {
        path: '/talent',
        name: 'talent',
        title: '人才',
        perm: 'read',
        component: () => import('./views/carrier/TalentView.vue'),
      },
      {
        path: '/listing-candidates',
        name: 'listing-candidates',
        title: '重点上市企业资源库',
        perm: 'read',
        component: () => import('./views/carrier/ListingList.vue'),
      },
    ],
  },
  {
    key: 'system',
    title: '系统',
    pages: [
      {
        path: '/system/users',
        name: 'users',
        title: '用户',
        perm: 'audit',
        component: () => import('./views/system/UsersView.vue'),
      },
      {
        path: '/system/org-units',
        name: 'org-units',
        title: '组织机构',
        perm: 'login',
        component: () => import('./views/system/OrgView.vue'),
      },
      {
        path: '/system/api-tokens',
        name: 'api-tokens',
        title: 'API 令牌',
        perm: 'manage',
        component: () => import('./views/system/TokensView.vue'),
      },
      {
        path: '/system/calendar-rules',
        name: 'calendar-rules',
        title: '提醒规则',
        perm: 'admin',
        component: () => import('./views/system/CalendarRulesView.vue'),
      },
      {
        path: '/system/audit',
        name: 'audit',
        title: '审计日志',
        perm: 'audit',
        component: () => import('./views/system/AuditView.vue'),
      },
      {
        path: '/system/about',
        name: 'about',
        title: '关于',
        perm: 'login',
        component: () => import('./views/system/AboutView.vue'),
      },
    ],
  },
]

export function visibleAreas(session) {
  return areas
    .map((a) => ({ ...a, pages: a.pages.filter((p) => !p.hidden && (p.perm === 'login' || session.can(p.perm))) }))
    .filter((a) => a.pages.length > 0)
}
