using System.Threading.Tasks;

// A C# client generated from the same document: PascalCase methods with Async.
public class DirectoryReport
{
    private readonly CoreCompanyDirectoryCompanyUsersApi _users;
    private readonly CorePortfolioProjectsApi _projects;

    public DirectoryReport(CoreCompanyDirectoryCompanyUsersApi users, CorePortfolioProjectsApi projects)
    {
        _users = users;
        _projects = projects;
    }

    public async Task Run(long companyId)
    {
        var people = await _users.RestV10CompaniesCompanyIdUsersGetAsync(companyId, companyId);
        var projects = await _projects.RestV11ProjectsGetAsync(companyId, companyId);
    }
}
