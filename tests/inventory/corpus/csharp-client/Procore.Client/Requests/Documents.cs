using System.Net.Http;

namespace Procore.Client.Requests
{
    public class ListFoldersRequest : ProcoreRequest
    {
        public long ProjectId { get; set; }
        public override string Resource => "/folders?project_id=" + ProjectId;
    }

    public class DeleteFileRequest : ProcoreRequest
    {
        public long ProjectId { get; set; }
        public long FileId { get; set; }
        public override string Resource => $"/files/{FileId}?project_id={ProjectId}";
        public override HttpMethod Method => new HttpMethod("DELETE");
    }

    public class ListCompanyUsersRequest : ProcoreRequest
    {
        public long CompanyId { get; set; }
        public override string Resource => $"/companies/{CompanyId}/users";
    }
}
