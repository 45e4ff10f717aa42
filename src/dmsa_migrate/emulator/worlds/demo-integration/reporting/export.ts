// Cost reporting export (demo fixture: scanned, never run)
const BASE = "https://api.procore.com";

export async function budgetLineItems(projectId: number, headers: Headers) {
  return fetch(`${BASE}/rest/v1.0/budget_line_items?project_id=${projectId}`, { headers });
}

export async function commitments(projectId: number, headers: Headers) {
  return fetch(`${BASE}/rest/v1.0/purchase_order_contracts?project_id=${projectId}`, { headers });
}

export async function primeContracts(projectId: number, headers: Headers) {
  return fetch(`${BASE}/rest/v1.0/prime_contracts?project_id=${projectId}`, { headers });
}

export async function folders(projectId: number, headers: Headers) {
  return fetch(`${BASE}/rest/v1.0/folders?project_id=${projectId}`, { headers });
}
