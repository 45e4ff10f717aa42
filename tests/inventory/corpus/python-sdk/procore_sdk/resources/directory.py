from procore_sdk.base import Base

COMPANIES = "/rest/v1.0/companies"


class Vendors(Base):
    def get(self, company_id):
        return self.get_request(COMPANIES + "/" + str(company_id) + "/vendors", company_id=company_id)

    def create(self, company_id, vendor):
        return self.post_request(
            "%s/%s/vendors" % (COMPANIES, company_id), data={"vendor": vendor}, company_id=company_id
        )

    def remove(self, company_id, vendor_id):
        return self.delete_request(f"{COMPANIES}/{company_id}/vendors/{vendor_id}",
                                   company_id=company_id)


class Users(Base):
    def me(self):
        return self.get_request("/rest/v1.0/me")

    def company_users(self, company_id):
        return self.get_request(f"{COMPANIES}/{company_id}/users", company_id=company_id)
