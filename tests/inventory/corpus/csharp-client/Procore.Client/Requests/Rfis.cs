using System.Net.Http;

namespace Procore.Client.Requests
{
    public class ListRfisRequest : ProcoreRequest
    {
        public long ProjectId { get; set; }
        public override string Resource => $"/projects/{this.ProjectId}/rfis";
    }

    public class CreateRfiRequest : ProcoreRequest
    {
        public long ProjectId { get; set; }
        public override string Resource => $"/projects/{ProjectId}/rfis";
        public override HttpMethod Method => HttpMethod.Post;
    }

    public class UpdateRfiRequest : ProcoreRequest
    {
        public long ProjectId { get; set; }
        public long RfiId { get; set; }
        public override string Resource
        {
            get { return string.Format("/projects/{0}/rfis/{1}", ProjectId, RfiId); }
        }
        public override HttpMethod Method => HttpMethod.Patch;
    }
}
