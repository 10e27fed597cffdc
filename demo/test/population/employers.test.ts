import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BANKS, businessNumberSum, EMPLOYERS, LISTED_COMPANIES } from '../../src/population/employers.ts';

describe('organisations', () => {
  it('have distinct names and business numbers that pass the Ministry of Finance check', () => {
    const all = [...new Map([...EMPLOYERS, ...BANKS, ...LISTED_COMPANIES].map((o) => [o.name, o])).values()];
    assert.equal(new Set(all.map((o) => o.taxId)).size, all.length);
    for (const organisation of all) {
      assert.match(organisation.taxId, /^\d{8}$/);
      assert.equal(businessNumberSum(organisation.taxId) % 5, 0, organisation.name);
    }
  });

  it('give every employer an insurance code and at least one job with a sane salary range', () => {
    for (const employer of EMPLOYERS) {
      assert.match(employer.insuranceCode, /^\d{9}$/);
      assert.ok(employer.jobs.length > 0);
      for (const job of employer.jobs) assert.ok(job.salary[0] >= 29_500 && job.salary[0] <= job.salary[1], job.title);
    }
  });

  it('accepts a known valid business number', () => {
    // 04595257 is a commonly cited valid example.
    assert.equal(businessNumberSum('04595257') % 5, 0);
  });
});
