// menu.js - the areas of the left menu and their pages. An area is listed
// only when it has pages; a page only when the user's role may use it.
// Areas of DESIGN.md §8 that are not built yet (政策, 目标任务, 载体)
// are deliberately absent. Pages with `hidden`
// (details reached from a list) get a route but no menu item.
export const areas = [
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
