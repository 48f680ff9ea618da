namespace SidePool.Operator.Certificates;

/// <summary><c>--cert-mode</c>: where the webhook's serving certificate comes from.</summary>
public enum CertificateMode
{
    /// <summary>The operator keeps its own CA and serving certificate in a Secret and patches the caBundle.</summary>
    SelfSigned,

    /// <summary>cert-manager writes a Secret mounted at <see cref="CertificateOptions.Directory"/>; its CA injector sets the caBundle.</summary>
    CertManager,

    /// <summary><c>tls.crt</c>/<c>tls.key</c> (and optionally <c>ca.crt</c>) from <see cref="CertificateOptions.Directory"/>.</summary>
    Files,
}

public static class CertificateModes
{
    /// <summary>Parses the flag value (<c>self-signed</c>, <c>cert-manager</c>, <c>files</c>).</summary>
    public static CertificateMode Parse(string value) => value switch
    {
        "self-signed" => CertificateMode.SelfSigned,
        "cert-manager" => CertificateMode.CertManager,
        "files" => CertificateMode.Files,
        _ => throw new ArgumentException($"--cert-mode must be self-signed, cert-manager or files, not '{value}'"),
    };

    public static string Format(CertificateMode mode) => mode switch
    {
        CertificateMode.SelfSigned => "self-signed",
        CertificateMode.CertManager => "cert-manager",
        _ => "files",
    };
}
