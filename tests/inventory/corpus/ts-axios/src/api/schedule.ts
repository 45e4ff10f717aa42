import { procore, withCompany } from "./http";

const CALENDAR = (projectId: number) => `/projects/${projectId}/calendar_events`;

export async function calendar(companyId: number, projectId: number) {
  const { data } = await procore.get(CALENDAR(projectId), withCompany(companyId));
  return data;
}

export async function addCalendarEvent(companyId: number, projectId: number, event: object) {
  return procore.post(CALENDAR(projectId), { calendar_event: event }, withCompany(companyId));
}

export async function removeMeeting(companyId: number, projectId: number, meetingId: number) {
  await procore.delete(`/meetings/${meetingId}`, {
    params: { project_id: projectId },
    ...withCompany(companyId),
  });
}

export async function meetingsFor(companyId: number, projectId: number, path: string) {
  return procore.get(path, withCompany(companyId));
}
