using System.Net.Http;

namespace Procore.Client
{
    /// <summary>One Procore endpoint; subclasses name the resource.</summary>
    public abstract class ProcoreRequest
    {
        public abstract string Resource { get; }

        public virtual HttpMethod Method => HttpMethod.Get;

        public virtual object Body => null;
    }
}
