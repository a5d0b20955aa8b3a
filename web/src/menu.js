// menu.js - the areas of the left menu and their pages. An area is listed
// only when it has pages; a page only when the user's role may use it.
// Areas of DESIGN.md §8 that are not built yet (企业库, 梯度培育, 政策,
// 目标任务, 技术合同, 成果转化, 载体) are deliberately absent.
export const areas = [
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
    .map((a) => ({ ...a, pages: a.pages.filter((p) => p.perm === 'login' || session.can(p.perm)) }))
    .filter((a) => a.pages.length > 0)
}
