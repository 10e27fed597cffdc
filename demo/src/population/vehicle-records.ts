// Motor-vehicle data sets (交通部公路局 監理服務): registrations, driving licence, unpaid tickets.
import type { Citizen } from './citizen.ts';
import { REFERENCE_DATE } from './dates.ts';
import type { FieldValue } from './dataset-fields.ts';

type Row = Record<string, FieldValue>;

export function vehicles(citizen: Citizen): Row[] {
  return citizen.vehicles.map((vehicle) => ({
    plate: vehicle.plate,
    vehicle_type: vehicle.kind === 'car' ? '自用小客車' : '普通重型機車',
    make: vehicle.make,
    model: vehicle.model,
    engine_cc: vehicle.engineCc,
    manufacture_year: vehicle.manufactureYear,
    first_registration_date: vehicle.firstRegistered,
    status: '使用中',
  }));
}

export function driverLicence(citizen: Citizen): Row[] {
  const licence = citizen.licence;
  if (!licence) return [];
  // Points attach to the person, so every class shows the same total.
  const points = citizen.violations.reduce((sum, v) => sum + v.points, 0);
  return licence.classes.map((licenceClass) => ({
    licence_class: licenceClass.name,
    issue_date: licenceClass.issued,
    expiry_date: licence.expires,
    status: licence.expires > REFERENCE_DATE ? '有效' : '逾期',
    points,
  }));
}

export function trafficViolations(citizen: Citizen): Row[] {
  return citizen.violations.map((ticket) => ({
    ticket_number: ticket.ticketNumber,
    violation_date: ticket.date,
    place: ticket.place,
    plate: ticket.plate,
    article: ticket.article,
    description: ticket.description,
    fine: ticket.fine,
    due_date: ticket.dueDate,
    status: ticket.dueDate < REFERENCE_DATE ? '逾期未繳' : '未繳',
  }));
}
